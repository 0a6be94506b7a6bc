import Foundation

/// Reads JSON text from bytes without `JSONDecoder`, for the hot shapes (delta buffers, append
/// bodies), and only a strict subset of what `JSONDecoder` accepts.
///
/// Anything outside that subset — a duplicate key, a trailing comma, a byte-order mark, a raw
/// control character or invalid UTF-8 in a string, a lone surrogate, a number with a fraction
/// or exponent that is integral below 2^63 (`1.0`, `1e2`) or that an integer is expected from, an integer
/// beyond 64 bits, a wrong JSON type, a missing key — throws ``Unsupported``, and the caller
/// decodes the same bytes with `JSONDecoder`: so what this reader answers is exactly what the
/// encoder-based shapes answer (`JSONReaderTests` compares them), and every error is theirs.
struct JSONReader {
    /// The input left the fast path; decode it with `JSONDecoder`.
    struct Unsupported: Error {}

    /// A JSON number: its double value, and its exact integer when it was written as one.
    struct Number {
        var double: Double
        var integer: Int64?
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// Runs `read` over `data`; nil when the reader met anything outside its subset.
    static func read<T>(_ data: some ContiguousBytes, _ read: (inout JSONReader) throws(Unsupported) -> T) -> T? {
        data.withUnsafeBytes { raw in
            var reader = JSONReader(raw.assumingMemoryBound(to: UInt8.self))
            do {
                let value = try read(&reader)
                try reader.end()
                return value
            } catch {
                return nil
            }
        }
    }

    // MARK: structure

    /// Reads an object, calling `member` with each key; `member` must read the value.
    /// Duplicate keys are the caller's to refuse (``KeySet``).
    mutating func object(_ member: (String, inout JSONReader) throws(Unsupported) -> Void) throws(Unsupported) {
        skipWhitespace()
        try expect(UInt8(ascii: "{"))
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            position += 1
            return
        }
        while true {
            skipWhitespace()
            let key = try string()
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            try member(key, &self)
            skipWhitespace()
            guard let next = take() else { throw Unsupported() }
            if next == UInt8(ascii: "}") { return }
            guard next == UInt8(ascii: ",") else { throw Unsupported() }
        }
    }

    /// Reads an array, calling `element` once per element; `element` must read it.
    mutating func array(_ element: (inout JSONReader) throws(Unsupported) -> Void) throws(Unsupported) {
        skipWhitespace()
        try expect(UInt8(ascii: "["))
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            position += 1
            return
        }
        while true {
            try element(&self)
            skipWhitespace()
            guard let next = take() else { throw Unsupported() }
            if next == UInt8(ascii: "]") { return }
            guard next == UInt8(ascii: ",") else { throw Unsupported() }
        }
    }

    /// Reads and drops any value (an unknown key's, which `JSONDecoder` ignores too).
    mutating func skipValue() throws(Unsupported) {
        skipWhitespace()
        switch peek() {
        case UInt8(ascii: "{"): try object { _, reader throws(Unsupported) in try reader.skipValue() }
        case UInt8(ascii: "["): try array { reader throws(Unsupported) in try reader.skipValue() }
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "t"), UInt8(ascii: "f"): _ = try bool()
        case UInt8(ascii: "n"): try null()
        default: _ = try number()
        }
    }

    /// The first byte of the next value, after whitespace (nil at the end).
    mutating func peekValueStart() -> UInt8? {
        skipWhitespace()
        return peek()
    }

    /// Whether the next value is `null`, consuming it if so.
    mutating func takeNull() -> Bool {
        skipWhitespace()
        guard literal("null") else { return false }
        return true
    }

    // MARK: scalars

    mutating func null() throws(Unsupported) {
        guard takeNull() else { throw Unsupported() }
    }

    mutating func bool() throws(Unsupported) -> Bool {
        skipWhitespace()
        if literal("true") { return true }
        if literal("false") { return false }
        throw Unsupported()
    }

    /// A string, unescaped; valid UTF-8 only.
    mutating func string() throws(Unsupported) -> String {
        skipWhitespace()
        try expect(UInt8(ascii: "\""))
        let start = position
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let text = String(validating: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
                position += 1
                guard let text else { throw Unsupported() }
                return text
            }
            if byte == UInt8(ascii: "\\") { return try escapedString(from: start) }
            if byte < 0x20 { throw Unsupported() }
            position += 1
        }
        throw Unsupported()
    }

    /// An integer written as one (`-?(0|[1-9][0-9]*)`, 64 bits).
    mutating func integer() throws(Unsupported) -> Int64 {
        guard let integer = try number().integer else { throw Unsupported() }
        return integer
    }

    /// A number. Integers carry both values; a fraction or exponent gives a double only, and
    /// only when it is finite, not integral and not an underflow to zero.
    mutating func number() throws(Unsupported) -> Number {
        skipWhitespace()
        let start = position
        if peek() == UInt8(ascii: "-") { position += 1 }
        guard let first = peek(), Self.isDigit(first) else { throw Unsupported() }
        position += 1
        if first != UInt8(ascii: "0") { skipDigits() }
        let integerEnd = position
        var isInteger = true
        if peek() == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            guard try skipRequiredDigits() else { throw Unsupported() }
        }
        if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            isInteger = false
            position += 1
            if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { position += 1 }
            guard try skipRequiredDigits() else { throw Unsupported() }
        }
        if isInteger {
            guard let integer = Self.exactInteger(bytes[start..<integerEnd]) else { throw Unsupported() }
            // Exact as a double up to 2^53; -0 keeps its sign as a double, as JSONDecoder gives it.
            if integer.magnitude <= 1 << 53, !(integer == 0 && bytes[start] == UInt8(ascii: "-")) {
                return Number(double: Double(integer), integer: integer)
            }
            return Number(double: try parsedDouble(from: start), integer: integer)
        }
        let double = try parsedDouble(from: start)
        // An integral value written with a fraction or exponent has an integer for JSONDecoder
        // below 2^63 (`1.0`, `1e2`); above, it has none, as a fraction has none.
        guard double.rounded(.towardZero) != double || double.magnitude >= 0x1p63 else { throw Unsupported() }
        return Number(double: double, integer: nil)
    }

    /// The number text from `start` to here as a finite double.
    private func parsedDouble(from start: Int) throws(Unsupported) -> Double {
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        guard let double = Double(text), double.isFinite else { throw Unsupported() }
        return double
    }

    // MARK: bytes

    /// Only whitespace may follow the value.
    mutating func end() throws(Unsupported) {
        skipWhitespace()
        guard position == bytes.count else { throw Unsupported() }
    }

    private mutating func escapedString(from start: Int) throws(Unsupported) -> String {
        var utf8 = Array(UnsafeBufferPointer(rebasing: bytes[start..<position]))
        while let byte = take() {
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: utf8, as: UTF8.self) else { throw Unsupported() }
                return text
            case UInt8(ascii: "\\"):
                guard let escaped = take() else { throw Unsupported() }
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escaped)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"): utf8.append(contentsOf: try unicodeEscape())
                default: throw Unsupported()
                }
            case 0..<0x20:
                throw Unsupported()
            default:
                utf8.append(byte)
            }
        }
        throw Unsupported()
    }

    /// The UTF-8 of `\uXXXX` (after the `u`), a surrogate pair taking the next `\uXXXX` too.
    private mutating func unicodeEscape() throws(Unsupported) -> String.UTF8View {
        let first = try hex4()
        var scalar: Unicode.Scalar?
        switch first {
        case 0xD800..<0xDC00:
            guard take() == UInt8(ascii: "\\"), take() == UInt8(ascii: "u") else { throw Unsupported() }
            let second = try hex4()
            guard (0xDC00..<0xE000).contains(second) else { throw Unsupported() }
            scalar = Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
        case 0xDC00..<0xE000:
            throw Unsupported()
        default:
            scalar = Unicode.Scalar(first)
        }
        guard let scalar else { throw Unsupported() }
        return String(Character(scalar)).utf8
    }

    private mutating func hex4() throws(Unsupported) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = take() else { throw Unsupported() }
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw Unsupported()
            }
            value = value << 4 | digit
        }
        return value
    }

    /// The value of `-?digits` when it fits 64 bits exactly.
    private static func exactInteger(_ text: Slice<UnsafeBufferPointer<UInt8>>) -> Int64? {
        var digits = text[...]
        let negative = digits.first == UInt8(ascii: "-")
        if negative { digits = digits.dropFirst() }
        var magnitude: UInt64 = 0
        for byte in digits {
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            if overflow1 || overflow2 { return nil }
            magnitude = sum
        }
        if negative {
            if magnitude == UInt64(Int64.max) + 1 { return .min }
            return magnitude <= UInt64(Int64.max) ? -Int64(magnitude) : nil
        }
        return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private mutating func skipDigits() {
        while let byte = peek(), Self.isDigit(byte) { position += 1 }
    }

    /// Skips one or more digits; false when there is none.
    private mutating func skipRequiredDigits() throws(Unsupported) -> Bool {
        guard let byte = peek(), Self.isDigit(byte) else { return false }
        skipDigits()
        return true
    }

    private mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { position += 1 }
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { return false }
        let matches = word.withUTF8Buffer { expected in
            (0..<count).allSatisfy { bytes[position + $0] == expected[$0] }
        }
        if matches { position += count }
        return matches
    }

    private mutating func expect(_ byte: UInt8) throws(Unsupported) {
        guard take() == byte else { throw Unsupported() }
    }

    private func peek() -> UInt8? {
        position < bytes.count ? bytes[position] : nil
    }

    private mutating func take() -> UInt8? {
        guard position < bytes.count else { return nil }
        defer { position += 1 }
        return bytes[position]
    }
}

/// The keys of one JSON object seen so far, to refuse a duplicate (`JSONDecoder` keeps the first).
struct KeySet {
    private var seen: UInt64 = 0

    /// Marks key number `index` (0–63) seen; throws when it was already.
    mutating func insert(_ index: Int) throws(JSONReader.Unsupported) {
        let bit = UInt64(1) << UInt64(index)
        guard seen & bit == 0 else { throw JSONReader.Unsupported() }
        seen |= bit
    }

    func contains(_ index: Int) -> Bool {
        seen & (UInt64(1) << UInt64(index)) != 0
    }
}
