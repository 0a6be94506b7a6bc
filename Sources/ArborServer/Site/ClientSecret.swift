import Crypto
import Foundation
import _CryptoExtras

/// Hashing and checking of per-client secrets (issue 6, issue 11 item 4): PBKDF2-HMAC-SHA256, stored as
/// `pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>`. Pure: the caller supplies the salt
/// (from `SystemRandomNumberGenerator`). A stored hash or a secret is never printed or logged.
public enum ClientSecret {
    /// The algorithm tag that starts every stored hash.
    public static let algorithm = "pbkdf2-sha256"
    /// Iterations of new hashes: slow enough to make guessing costly, fast enough for the
    /// first request of a client (servers cache successful checks).
    public static let defaultIterations = 100_000
    /// The most iterations `verify` accepts, so a damaged row cannot stall a server.
    public static let maximumIterations = 10_000_000
    /// Bytes of derived key.
    static let keyLength = 32

    /// The stored form of `secret` hashed with `salt`.
    public static func hash(_ secret: String, salt: [UInt8], iterations: Int = defaultIterations) -> String {
        let derived = pbkdf2(password: Array(secret.utf8), salt: salt, iterations: iterations, length: keyLength)
        return "\(algorithm)$\(iterations)$\(hex(salt))$\(hex(derived))"
    }

    /// Whether `secret` matches `stored`; false for a malformed `stored`. The final comparison
    /// takes the same time wherever the first difference is.
    public static func verify(_ secret: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == algorithm, let iterations = Int(parts[1]), iterations > 0, iterations <= maximumIterations,
              let salt = bytes(fromHex: parts[2]), let expected = bytes(fromHex: parts[3]), !expected.isEmpty, expected.count <= 64
        else { return false }
        let derived = pbkdf2(password: Array(secret.utf8), salt: salt, iterations: iterations, length: expected.count)
        return !derived.isEmpty && constantTimeEqual(derived, expected)
    }

    /// A new random secret: 32 bytes as 64 hex characters.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return hex((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// 16 random salt bytes.
    public static func randomSalt() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// PBKDF2 (RFC 8018 §5.2) with HMAC-SHA256, from swift-crypto's `_CryptoExtras` (BoringSSL's
    /// `PKCS5_PBKDF2_HMAC`): about ten times faster than the hand-written loop it replaced
    /// (issue 11 item 4) and byte-for-byte the same output, so stored hashes keep verifying.
    /// Callers keep `iterations` within ``maximumIterations``; the slow part runs off the
    /// cooperative pool (``SecretHashingQueue``).
    static func pbkdf2(password: [UInt8], salt: [UInt8], iterations: Int, length: Int) -> [UInt8] {
        // HMAC pads a short key with zero bytes, so an empty key and the key [0] are the same
        // key; BoringSSL's wrapper needs a non-empty buffer.
        let key = password.isEmpty ? [0] : password
        do {
            let derived = try KDF.Insecure.PBKDF2.deriveKey(
                from: key, salt: salt, using: .sha256, outputByteCount: length, unsafeUncheckedRounds: max(iterations, 1)
            )
            return derived.withUnsafeBytes { Array($0) }
        } catch {
            // BoringSSL fails only on allocation failure or an absurd length; no key matches then.
            return []
        }
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<a.count { difference |= a[i] ^ b[i] }
        return difference == 0
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    static func bytes(fromHex text: Substring) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var result: [UInt8] = []
        result.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            result.append(high << 4 | low)
            index += 2
        }
        return result
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
