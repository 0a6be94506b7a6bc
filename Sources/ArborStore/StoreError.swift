/// An error from a store. Its description never includes row values or credentials.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; a struct over a private enum so new codes can be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidConfiguration, unreachable, queryFailed, invalidInput, notFound, conflict, schemaMismatch, tooLarge, alreadyApplied, notPermitted
        }

        private let base: Base

        /// The configuration (URL, path, prefix) is wrong; fix it and restart.
        public static let invalidConfiguration = Code(base: .invalidConfiguration)
        /// The database could not be reached; retrying may help.
        public static let unreachable = Code(base: .unreachable)
        /// A statement failed.
        public static let queryFailed = Code(base: .queryFailed)
        /// Input was refused before anything was written (unknown class or field, wrong type, bad topic).
        public static let invalidInput = Code(base: .invalidInput)
        /// The named row (client, entity) does not exist.
        public static let notFound = Code(base: .notFound)
        /// The change conflicts with what is stored (duplicate client id, bit in use, table full).
        public static let conflict = Code(base: .conflict)
        /// The database or a buffer holds another schema name than this site.
        public static let schemaMismatch = Code(base: .schemaMismatch)
        /// A transaction's encoded log buffer is above the size limit; nothing was written.
        public static let tooLarge = Code(base: .tooLarge)
        /// An append with this request id already committed; read its stored outcome.
        public static let alreadyApplied = Code(base: .alreadyApplied)
        /// The client's write permit (``EntityWritePermit``) refused a write; nothing was written.
        public static let notPermitted = Code(base: .notPermitted)

        public var description: String { base.rawValue }
    }

    public var code: Code
    public var message: String
    /// The error this one wraps, if any (kept for logs; not part of `description`).
    public var underlying: (any Error)?

    public init(_ code: Code, _ message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    /// Whether the same operation may succeed if tried again later.
    public var isRetryable: Bool { code == .unreachable }

    public var description: String { "\(code): \(message)" }
}
