extension TopicsSlice {
    /// The deepest parenthesis nesting accepted; keeps recursion bounded on hostile input.
    public static let maximumNesting = 32
    /// The most operands (topics, negations, windows) one slice may hold. Every load evaluates
    /// the slice once per cached entity, so its cost grows with this number (issue 11 item 6:
    /// 4,096 operands cost ~3 s of CPU per load); 256 is far beyond a hand-written subscription.
    public static let maximumOperands = 256
    /// The longest slice text accepted, in characters, checked before any token is read:
    /// 256 operands of 64-character topics with their operators fit.
    public static let maximumLength = 16_640

    /// Parses a topics slice (§2.1.1.2).
    ///
    /// Grammar (blanks between tokens are ignored):
    /// `slice = operand { ("+" | "*") operand }`,
    /// `operand = topic | "!" topic | window | "(" slice ")"`.
    /// All operators have the same precedence and apply left to right: `T2+T3*T4` is `(T2+T3)*T4`.
    public init(parsing text: String) throws(SliceSyntaxError) {
        let length = text.count
        guard length <= Self.maximumLength else {
            throw SliceSyntaxError(
                kind: .tooComplex, offset: Self.maximumLength,
                message: "slice is \(length) characters long, above the limit of \(Self.maximumLength): subscribe with fewer topics",
                text: String(text.prefix(64)) + "…"
            )
        }
        var parser = TopicsSliceParser(text)
        self = try parser.parse()
    }
}

/// A recursive-descent parser with one token of look-ahead.
struct TopicsSliceParser {
    private var tokenizer: SliceTokenizer
    private var lookahead: SliceToken?
    private var operands = 0

    init(_ text: String) {
        tokenizer = SliceTokenizer(text)
    }

    mutating func parse() throws(SliceSyntaxError) -> TopicsSlice {
        if try peek().kind == .end {
            throw failure(.emptySlice, at: 0, "empty slice: write at least one topic, for example 'T1'")
        }
        return try sequence(openedAt: nil, depth: 0)
    }

    /// `operand { op operand }`, up to the end of the text or (inside parentheses) a `)`.
    private mutating func sequence(openedAt open: Int?, depth: Int) throws(SliceSyntaxError) -> TopicsSlice {
        var result = try operand(after: nil, openedAt: open, depth: depth)
        while true {
            let token = try peek()
            switch token.kind {
            case .or, .and:
                _ = try take()
                let rhs = try operand(after: token, openedAt: open, depth: depth)
                result = token.kind == .or ? .or(result, rhs) : .and(result, rhs)
            case .close:
                guard open != nil else {
                    throw failure(.unbalancedParentheses, at: token.offset, "unmatched ')': no '(' before it")
                }
                return result
            case .end:
                if let open { throw missingClose(at: token.offset, open: open) }
                return result
            case .topic, .window, .not, .open:
                throw failure(
                    .missingOperator, at: token.offset,
                    "missing operator before \(token.quoted): put '+' (or) or '*' (and) between operands")
            }
        }
    }

    /// One operand; `op` is the operator just read, if any, to name it in errors.
    private mutating func operand(after op: SliceToken?, openedAt open: Int?, depth: Int) throws(SliceSyntaxError) -> TopicsSlice {
        let token = try take()
        switch token.kind {
        case .topic, .window, .not:
            operands += 1
            guard operands <= TopicsSlice.maximumOperands else {
                throw failure(.tooComplex, at: token.offset, "slice has more than \(TopicsSlice.maximumOperands) operands (topics, negations, time windows): subscribe with fewer topics")
            }
        default:
            break
        }
        switch token.kind {
        case .topic(let name):
            return .topic(name)
        case .window(let window):
            return .timeWindow(window)
        case .not:
            let negated = try take()
            guard case .topic(let name) = negated.kind else {
                throw failure(
                    .negationWithoutTopic, at: negated.offset,
                    "'!' at offset \(token.offset) must be followed by a topic, found \(negated.quoted); "
                        + "'!' negates a single topic (write !T1*!T2, not !(T1+T2))")
            }
            return .not(name)
        case .open:
            guard depth < TopicsSlice.maximumNesting else {
                throw failure(.tooComplex, at: token.offset, "parentheses nested deeper than \(TopicsSlice.maximumNesting) levels: write the slice with fewer parentheses")
            }
            let next = try peek()
            if next.kind == .close {
                throw failure(.missingOperand, at: next.offset, "empty parentheses: put a slice between '(' and ')'")
            }
            if next.kind == .end { throw missingClose(at: next.offset, open: token.offset) }
            let inner = try sequence(openedAt: token.offset, depth: depth + 1)
            _ = try take()  // the ')' that ended the inner sequence
            return inner
        case .or, .and, .close, .end:
            throw missingOperand(found: token, after: op, openedAt: open)
        }
    }

    private func missingOperand(found token: SliceToken, after op: SliceToken?, openedAt open: Int?) -> SliceSyntaxError {
        if let op {
            return failure(
                .missingOperand, at: token.offset,
                "operator \(op.quoted) at offset \(op.offset) has no right operand (found \(token.quoted))")
        }
        if token.kind == .close && open == nil {
            return failure(.unbalancedParentheses, at: token.offset, "unmatched ')': no '(' before it")
        }
        if token.kind == .end {
            return failure(.emptySlice, at: token.offset, "empty slice: write at least one topic, for example 'T1'")
        }
        return failure(.missingOperand, at: token.offset, "operator \(token.quoted) has no left operand")
    }

    private func missingClose(at offset: Int, open: Int) -> SliceSyntaxError {
        failure(.unbalancedParentheses, at: offset, "missing ')' to close '(' at offset \(open)")
    }

    private func failure(_ kind: SliceSyntaxError.Kind, at offset: Int, _ message: String) -> SliceSyntaxError {
        SliceSyntaxError(kind: kind, offset: offset, message: message, text: tokenizer.text)
    }

    private mutating func peek() throws(SliceSyntaxError) -> SliceToken {
        if let lookahead { return lookahead }
        let token = try tokenizer.next()
        lookahead = token
        return token
    }

    private mutating func take() throws(SliceSyntaxError) -> SliceToken {
        let token = try peek()
        lookahead = nil
        return token
    }
}
