/// A topics slice that cannot be parsed (§2.1.1.2).
///
/// Carries the 0-based character offset of the problem, a message saying what was wrong and
/// how to fix it, and the slice text itself so the description reads on its own, for example
/// `slice syntax error at offset 6 in '(T1+T2': missing ')' to close '(' at offset 0`.
public struct SliceSyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The class of problem, so callers and tests can tell errors apart without reading text.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Code: String, Hashable, Sendable {
            case emptySlice, unexpectedCharacter, missingOperand, negationWithoutTopic
            case unbalancedParentheses, missingOperator, badTimeWindow, trailingText, tooComplex
        }

        private let code: Code

        private init(_ code: Code) {
            self.code = code
        }

        /// The slice holds nothing but blanks.
        public static let emptySlice = Kind(.emptySlice)
        /// A character that can start no token (`,`, `#`, control characters).
        public static let unexpectedCharacter = Kind(.unexpectedCharacter)
        /// `+` or `*` lacks its left or right operand, or `()` is empty.
        public static let missingOperand = Kind(.missingOperand)
        /// `!` is not followed by a topic (`!(`, `!!T`, `!TimeWindow5`, `!` at the end).
        public static let negationWithoutTopic = Kind(.negationWithoutTopic)
        /// A `(` is never closed or a `)` has no matching `(`.
        public static let unbalancedParentheses = Kind(.unbalancedParentheses)
        /// Two operands follow each other without `+` or `*` between them (`T1 T2`).
        public static let missingOperator = Kind(.missingOperator)
        /// A time window is malformed: bad number, bad date or time, missing `]`.
        public static let badTimeWindow = Kind(.badTimeWindow)
        /// Text glued to the end of a complete operand (`TimeWindow[…]abc`).
        public static let trailingText = Kind(.trailingText)
        /// The slice exceeds the nesting or size limits of the parser.
        public static let tooComplex = Kind(.tooComplex)

        /// The kind's name, for logs and test output.
        public var description: String { code.rawValue }
    }

    /// The class of problem.
    public var kind: Kind
    /// 0-based offset, in characters, of the problem in ``text``.
    public var offset: Int
    /// What was wrong, and what to do about it.
    public var message: String
    /// The slice text that failed to parse.
    public var text: String

    /// Creates an error; `offset` counts characters (not bytes) from the start of `text`.
    public init(kind: Kind, offset: Int, message: String, text: String) {
        self.kind = kind
        self.offset = offset
        self.message = message
        self.text = text
    }

    /// `slice syntax error at offset N in 'TEXT': MESSAGE`.
    public var description: String {
        "slice syntax error at offset \(offset) in '\(text)': \(message)"
    }
}
