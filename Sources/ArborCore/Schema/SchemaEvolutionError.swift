/// A schema that may not follow the stored one (``SchemaEvolution``, ``SchemaHistory``).
public struct SchemaEvolutionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong; a struct over a private enum so new codes can be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable { case notAdditive, sameNameChanged, downgrade }
        private let base: Base

        /// The newer schema removes, renames or changes something the older one declares.
        public static let notAdditive = Code(base: .notAdditive)
        /// The schema keeps the stored name but its content differs.
        public static let sameNameChanged = Code(base: .sameNameChanged)
        /// The schema is one the database held before the current one.
        public static let downgrade = Code(base: .downgrade)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// Names what was wrong and what to do.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
