import Foundation

/// The HTTP protocol between edges and site servers (see `Docs/openapi.json`): JSON request
/// bodies, JSON or binary responses. Shared by the server and the edge library.
public enum ArborProtocol {
    /// Version sent by edges in ``Header/protocolVersion``; servers refuse other versions.
    public static let version = 1

    /// Header names.
    public enum Header {
        /// The calling client's id (its row in the clients table for registered edges).
        public static let clientId = "X-Arbor-Client-Id"
        /// The client's secret, checked against the stored hash (issue 6).
        public static let clientSecret = "X-Arbor-Client-Secret"
        /// The protocol version the edge speaks.
        public static let protocolVersion = "X-Arbor-Protocol-Version"
        /// The schema name the edge expects; a different site schema is `SchemaMismatch`.
        public static let schemaName = "X-Arbor-Schema"
        /// On every response: whether the site is connected to the center (§8.2).
        public static let connectedToCenter = "X-Arbor-Connected-To-Center"
        /// On responses with deltas: the sequence the client holds after applying them.
        public static let sequence = "X-Arbor-Sequence"
        /// On binary answers streamed as they are built (FullLoad): `empty-buffer`, the body ends
        /// with one delta buffer holding no deltas, so an answer cut short is seen as one.
        public static let endMark = "X-Arbor-End-Mark"
        /// A site server moves the edge to another server of the site (§8.1).
        public static let redirect = "X-Arbor-Redirect"
        /// On every request of a son's link: the incarnation of the son's database (a UUID made
        /// by `arbor init`, renewed when a restored copy re-joins). The father keeps the son's
        /// upload position per incarnation.
        public static let siteIncarnation = "X-Arbor-Site-Incarnation"
        /// On fetch and load answers: the incarnation of the site's log the answer's sequence
        /// belongs to. A restored site takes a new one, so a client's position in the old log
        /// is known as such (`LogReplaced`) instead of being taken for one in the new log.
        public static let logIncarnation = "X-Arbor-Log-Incarnation"
        /// On a son's upload: the son's log position it believes the father applied through
        /// (the father's last answer). A father that applied less (it was restored from an older
        /// backup) applies nothing and answers its position, so the son sends again from there.
        public static let uploadAfter = "X-Arbor-Upload-After"

        /// On appends: the edge's id for this request (issue 10 item 13). A repeated id of the
        /// same client is answered with the stored outcome and applies nothing twice.
        public static let requestId = "X-Arbor-Request-Id"

        /// Whether `id` is a usable request id: 1 to 128 visible ASCII characters.
        public static func isValidRequestId(_ id: String) -> Bool {
            !id.isEmpty && id.utf8.count <= 128 && id.unicodeScalars.allSatisfy { (0x21...0x7E).contains($0.value) }
        }
    }

    /// The ``Header/endMark`` value: the answer's last delta buffer is empty and ends it.
    public static let emptyBufferEndMark = "empty-buffer"

    /// Media type of a body made of concatenated binary delta buffers.
    public static let deltaBuffersMediaType = "application/vnd.arbor.delta-buffers"
    /// Media type of JSON bodies.
    public static let jsonMediaType = "application/json"
}

/// An entity named by class and tech-id (the guide's typed id list).
public struct EntityRef: Codable, Hashable, Sendable {
    public var entityClass: String
    public var techId: UUID

    public init(_ entityClass: String, _ techId: UUID) {
        self.entityClass = entityClass
        self.techId = techId
    }

    enum CodingKeys: String, CodingKey {
        case entityClass = "class"
        case techId
    }
}

/// `POST …/delta/fetch`: deltas after `fromSequence` for `slice`, waiting up to `waitMilliseconds`.
public struct FetchRequest: Codable, Hashable, Sendable {
    public var fromSequence: Int64
    public var slice: String
    /// Whether the edge uses registration (a son, or an app edge with `useRegistration`).
    public var registered: Bool
    public var waitMilliseconds: Int?
    /// The incarnation of the site's log `fromSequence` belongs to (from the answer that gave
    /// it); another one than the site's is refused with `LogReplaced`. Nil from older edges.
    public var logIncarnation: UUID?

    public init(fromSequence: Int64, slice: String, registered: Bool, waitMilliseconds: Int? = nil, logIncarnation: UUID? = nil) {
        self.fromSequence = fromSequence
        self.slice = slice
        self.registered = registered
        self.waitMilliseconds = waitMilliseconds
        self.logIncarnation = logIncarnation
    }
}

/// `POST …/delta/register`: the client holds these entities, synchronized (§2.4, §2.5).
public struct RegisterRequest: Codable, Hashable, Sendable {
    public var entities: [EntityRef]

    public init(entities: [EntityRef]) {
        self.entities = entities
    }
}

/// `POST …/delta/unregister`: the client no longer wants these entities (§2.3).
///
/// `fetchedThrough`, when given, says the client holds every answer its fetches brought
/// through that sequence: the site first commits the registrations of its answer ending there
/// (not yet acknowledged by a fetch), so they are not lost with the fetch session.
public struct UnregisterRequest: Codable, Hashable, Sendable {
    public var entities: [EntityRef]
    public var sequence: Int64
    public var fetchedThrough: Int64?

    public init(entities: [EntityRef], sequence: Int64, fetchedThrough: Int64? = nil) {
        self.entities = entities
        self.sequence = sequence
        self.fetchedThrough = fetchedThrough
    }
}

/// `POST …/cache/full-load`, `…/cache/partial-load`: entities of `slice` as create-deltas.
public struct LoadRequest: Codable, Hashable, Sendable {
    public var slice: String

    public init(slice: String) {
        self.slice = slice
    }
}

/// `POST …/cache/select-minus`: entities selected by `oldSlice` but not by `newSlice`.
public struct SelectMinusRequest: Codable, Hashable, Sendable {
    public var oldSlice: String
    public var newSlice: String

    public init(oldSlice: String, newSlice: String) {
        self.oldSlice = oldSlice
        self.newSlice = newSlice
    }
}

/// The answer to select-minus.
public struct EntityListResponse: Codable, Hashable, Sendable {
    public var entities: [EntityRef]

    public init(entities: [EntityRef]) {
        self.entities = entities
    }
}

/// `POST …/cache/sync-load`: entities of `slice` or registered, changed after
/// `lastTransmissionTime` (µs); with `entities`, registers them first (§2.4).
/// `fetchedThrough` acknowledges the fetches as in ``UnregisterRequest``.
public struct SyncLoadRequest: Codable, Hashable, Sendable {
    public var slice: String
    public var lastTransmissionTime: Int64
    public var entities: [EntityRef]?
    public var fetchedThrough: Int64?

    public init(slice: String, lastTransmissionTime: Int64, entities: [EntityRef]? = nil, fetchedThrough: Int64? = nil) {
        self.slice = slice
        self.lastTransmissionTime = lastTransmissionTime
        self.entities = entities
        self.fetchedThrough = fetchedThrough
    }
}

/// `POST …/cache/skip-load`: a rebooted client resumes at `lastSequence` (§2.5).
public struct SkipLoadRequest: Codable, Hashable, Sendable {
    public var slice: String
    public var lastSequence: Int64
    /// The incarnation of the site's log `lastSequence` belongs to, as for ``FetchRequest/logIncarnation``.
    public var logIncarnation: UUID?

    public init(slice: String, lastSequence: Int64, logIncarnation: UUID? = nil) {
        self.slice = slice
        self.lastSequence = lastSequence
        self.logIncarnation = logIncarnation
    }
}

/// The answer to skip-load and register/unregister: the sequence the client continues from.
public struct SequenceResponse: Codable, Hashable, Sendable {
    public var sequence: Int64

    public init(sequence: Int64) {
        self.sequence = sequence
    }
}

/// `GET …/delta`, `GET …/cache`: whether the server is up (§7.3).
public struct StatusResponse: Codable, Hashable, Sendable {
    public var server: String
    public var site: String
    public var instance: String
    public var up: Bool
    public var sequence: Int64
    public var schemaName: String
    public var connectedToCenter: Bool
    /// Whether this server process holds the site's master role (§8.1); absent from older servers.
    public var isMaster: Bool?

    public init(
        server: String, site: String, instance: String, up: Bool, sequence: Int64, schemaName: String, connectedToCenter: Bool, isMaster: Bool? = nil
    ) {
        self.server = server
        self.site = site
        self.instance = instance
        self.up = up
        self.sequence = sequence
        self.schemaName = schemaName
        self.connectedToCenter = connectedToCenter
        self.isMaster = isMaster
    }
}

/// Every error answer: `{"error": CODE, "message": ...}`.
public struct ErrorResponse: Codable, Hashable, Sendable {
    public var error: String
    public var message: String

    public init(error: String, message: String) {
        self.error = error
        self.message = message
    }
}

/// A JSON body holding delta buffers, for clients that ask for JSON instead of binary.
public struct DeltaBuffersJSONResponse: Sendable {
    /// The sequence the client holds after applying the buffers.
    public var sequence: Int64
    public var connectedToCenter: Bool
    public var buffers: [DeltaBuffer]

    public init(sequence: Int64, connectedToCenter: Bool, buffers: [DeltaBuffer]) {
        self.sequence = sequence
        self.connectedToCenter = connectedToCenter
        self.buffers = buffers
    }
}

/// The answer to `POST …/delta/upload` and `…/delta/upload-position` (father side of a link):
/// the son's log position up to which the father has applied the son's uploads, and the end of
/// the father's own log once it had (absent from older fathers).
public struct UploadResponse: Codable, Hashable, Sendable {
    public var appliedThrough: Int64
    /// The father's last log sequence after applying: the son's download must reach it before
    /// the son drops an entity its uploaded writes moved out of its slice (a fetch of an older
    /// father buffer would otherwise bring the entity back in an old state).
    public var fatherSequence: Int64?

    public init(appliedThrough: Int64, fatherSequence: Int64? = nil) {
        self.appliedThrough = appliedThrough
        self.fatherSequence = fatherSequence
    }
}

/// `POST …/cache/digests`: per-entity digests of the entities a slice selects (for `arbor verify`).
public struct DigestRequest: Codable, Hashable, Sendable {
    public var slice: String

    public init(slice: String) {
        self.slice = slice
    }
}

/// One entity's digest: a hash of its class, id, application topics and every field with its
/// write time, sub-entities included, so two sites holding the same entity give the same digest.
public struct EntityDigest: Codable, Hashable, Sendable {
    public var entity: EntityRef
    public var digest: String

    public init(entity: EntityRef, digest: String) {
        self.entity = entity
        self.digest = digest
    }
}

/// The answer to `POST …/cache/digests`.
public struct DigestResponse: Codable, Hashable, Sendable {
    public var sequence: Int64
    public var entities: [EntityDigest]

    public init(sequence: Int64, entities: [EntityDigest]) {
        self.sequence = sequence
        self.entities = entities
    }
}

/// The answer to `POST …/delta/append`.
public struct AppendResponse: Codable, Hashable, Sendable {
    /// The log sequence of the committed transaction; nil when it appended nothing.
    public var sequence: Int64?
    /// The merge outcome of each write, in order (`created`, `accepted`, …).
    public var outcomes: [String]

    public init(sequence: Int64?, outcomes: [String]) {
        self.sequence = sequence
        self.outcomes = outcomes
    }
}
