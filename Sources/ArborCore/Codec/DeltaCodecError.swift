/// A delta buffer (binary or JSON) that cannot be encoded or decoded.
///
/// A struct with an extensible ``Code`` (STYLE rule 5). Messages name what was wrong and
/// where (offset, delta number, class, field), never field values, so they are safe to log
/// and to return to clients.
public struct DeltaCodecError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is; compare with the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case truncated, oversized, badMagic, unsupportedVersion, checksumMismatch
            case schemaMismatch, malformed, invalidAgainstSchema
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The input ends before the buffer (or one of its parts) is complete.
        public static let truncated = Code(.truncated)
        /// The buffer is, or declares itself, larger than the allowed maximum.
        public static let oversized = Code(.oversized)
        /// The input does not start with the `ARBD` magic: it is not a delta buffer.
        public static let badMagic = Code(.badMagic)
        /// The buffer's format version is not one this code reads.
        public static let unsupportedVersion = Code(.unsupportedVersion)
        /// The CRC32 of the body does not match the header: the bytes were damaged.
        public static let checksumMismatch = Code(.checksumMismatch)
        /// The buffer was encoded with another schema name (§4.4); the schemas must be aligned first.
        public static let schemaMismatch = Code(.schemaMismatch)
        /// The bytes or JSON do not follow the format (bad enum byte, trailing bytes, bad UTF-8, …).
        public static let malformed = Code(.malformed)
        /// The deltas do not fit the schema (unknown class, field or collection, wrong type, null).
        public static let invalidAgainstSchema = Code(.invalidAgainstSchema)

        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// What was wrong and where; never includes field values.
    public var message: String

    /// An error of `code` explained by `message`.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "delta buffer \(code): \(message)" }

    /// The input ended while reading `what` at byte `offset`.
    public static func truncated(reading what: String, at offset: Int) -> DeltaCodecError {
        DeltaCodecError(code: .truncated, message: "input ends while reading \(what) at offset \(offset)")
    }

    /// The input does not follow the format.
    public static func malformed(_ message: String) -> DeltaCodecError {
        DeltaCodecError(code: .malformed, message: message)
    }

    /// The buffer carries schema name `found` where `expected` is in use.
    public static func schemaMismatch(expected: String, found: String) -> DeltaCodecError {
        DeltaCodecError(
            code: .schemaMismatch,
            message: "buffer was encoded with schema '\(found)' but this site uses '\(expected)'; align the schemas (§4.4)"
        )
    }

    /// A delta does not fit the schema; `context` says which delta.
    public static func invalidAgainstSchema(_ error: SchemaError, context: String) -> DeltaCodecError {
        DeltaCodecError(code: .invalidAgainstSchema, message: "\(context): \(error)")
    }

    /// A delta does not fit the schema, explained by `message`.
    public static func invalidAgainstSchema(_ message: String) -> DeltaCodecError {
        DeltaCodecError(code: .invalidAgainstSchema, message: message)
    }
}
