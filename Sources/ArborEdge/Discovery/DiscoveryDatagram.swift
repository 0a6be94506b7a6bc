import Foundation

/// The datagrams of local-network discovery (Docs/discovery.md): a finder sends a ``query`` by
/// UDP (broadcast, or to chosen addresses); each site process that announces itself and serves
/// that instance and schema answers the sender with an ``announcement`` of its URLs.
///
/// Both are one small JSON object, `"arbor"` naming the kind and `"version"` the format, so a
/// newer finder or site can add keys. An announcement is a hint, not a credential: the edge or
/// replica still authenticates to what it finds (secret, certificate), as to any server.
public enum DiscoveryDatagram: Hashable, Sendable {
    /// "Which sites serve `instance` with schema `schema`?"
    case query(instance: String, schema: String)
    /// "This site process serves them at these URLs."
    case announcement(SiteAnnouncement)

    /// The UDP port sites listen on and finders send to by default.
    public static let defaultPort = 47_100
    /// The largest datagram either side sends or reads: it fits one Ethernet frame.
    public static let maximumBytes = 1_400
    /// The format written; readers accept it and any later one (unknown keys are ignored).
    public static let formatVersion = 1

    /// The JSON bytes; fails when they would exceed ``maximumBytes`` (too many or too long URLs).
    public func encoded() throws(DiscoveryError) -> [UInt8] {
        let wire: Wire
        switch self {
        case .query(let instance, let schema):
            wire = Wire(arbor: Wire.queryKind, version: Self.formatVersion, instance: instance, schema: schema)
        case .announcement(let site):
            wire = Wire(
                arbor: Wire.announcementKind, version: Self.formatVersion, instance: site.instance, schema: site.schema, site: site.site,
                servers: site.servers, connectedToCenter: site.connectedToCenter)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        guard let bytes = try? [UInt8](encoder.encode(wire)) else { throw DiscoveryError("a discovery datagram could not be encoded") }
        guard bytes.count <= Self.maximumBytes else {
            throw DiscoveryError("a discovery datagram of \(bytes.count) bytes exceeds \(Self.maximumBytes): announce fewer or shorter URLs")
        }
        return bytes
    }

    /// The datagram in `bytes`, nil when they are not a discovery datagram Arbor understands
    /// (another program's traffic on the port, a malformed or oversized one): such datagrams are
    /// ignored, never answered.
    public static func decode(_ bytes: some Collection<UInt8>) -> DiscoveryDatagram? {
        guard bytes.count <= maximumBytes, let wire = try? JSONDecoder().decode(Wire.self, from: Data(bytes)),
              wire.version >= 1, !wire.instance.isEmpty, !wire.schema.isEmpty else { return nil }
        switch wire.arbor {
        case Wire.queryKind:
            return .query(instance: wire.instance, schema: wire.schema)
        case Wire.announcementKind:
            guard let site = wire.site, !site.isEmpty, let servers = wire.servers, !servers.isEmpty else { return nil }
            return .announcement(SiteAnnouncement(
                instance: wire.instance, schema: wire.schema, site: site, servers: servers, connectedToCenter: wire.connectedToCenter ?? false))
        default:
            return nil
        }
    }

    /// The JSON object on the wire.
    private struct Wire: Codable {
        static let queryKind = "discover"
        static let announcementKind = "site"
        var arbor: String
        var version: Int
        var instance: String
        var schema: String
        var site: String?
        var servers: [String]?
        var connectedToCenter: Bool?
    }
}

/// One site process found on the local network.
public struct SiteAnnouncement: Hashable, Sendable {
    /// The instance in its URLs (`/arbor/{instance}/…`).
    public var instance: String
    /// The name of its distribution schema.
    public var schema: String
    /// The site's name (`east`, `center`).
    public var site: String
    /// Base URLs an edge uses for it (`http://10.0.0.5:8080`).
    public var servers: [String]
    /// Whether the site said it was connected to the center when it answered.
    public var connectedToCenter: Bool

    public init(instance: String, schema: String, site: String, servers: [String], connectedToCenter: Bool) {
        self.instance = instance
        self.schema = schema
        self.site = site
        self.servers = servers
        self.connectedToCenter = connectedToCenter
    }
}

/// A discovery failure: a datagram that cannot be written, a socket that cannot be opened.
public struct DiscoveryError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
