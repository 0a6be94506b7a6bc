@testable import ArborServer
import Crypto
import Testing

/// Hashes stored before issue 11 item 4 (made by the hand-written PBKDF2 that swift-crypto's
/// replaced) keep verifying, and both derivations agree on every input.
@Suite struct ClientSecretCompatibilityTests {
    /// Stored by `arbor clients add` before the change: secret `legacy-secret-1`, 100,000
    /// iterations, salt 00112233…ff. ``legacyFixtureIsTheOldCodesOutput()`` proves its origin.
    static let legacyStored = "pbkdf2-sha256$100000$00112233445566778899aabbccddeeff$3e8cdfc26ebcdcc346b27c52026556f4028be0c9227831924fe70f5bcdcca870"

    @Test func aHashStoredByTheOldCodeVerifies() {
        #expect(ClientSecret.verify("legacy-secret-1", against: Self.legacyStored))
        #expect(!ClientSecret.verify("legacy-secret-2", against: Self.legacyStored))
    }

    @Test func legacyFixtureIsTheOldCodesOutput() {
        let salt = ClientSecret.bytes(fromHex: "00112233445566778899aabbccddeeff")!
        let derived = LegacyPBKDF2.derive(password: Array("legacy-secret-1".utf8), salt: salt, iterations: 100_000, length: 32)
        #expect("pbkdf2-sha256$100000$00112233445566778899aabbccddeeff$\(ClientSecret.hex(derived))" == Self.legacyStored)
    }

    @Test func bothDerivationsAgreeOnAnyInput() {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<200 {
            let password = (0..<Int.random(in: 0...80, using: &generator)).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            let salt = (0..<Int.random(in: 0...40, using: &generator)).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            let iterations = Int.random(in: 1...40, using: &generator), length = Int.random(in: 1...64, using: &generator)
            let new = ClientSecret.pbkdf2(password: password, salt: salt, iterations: iterations, length: length)
            let old = LegacyPBKDF2.derive(password: password, salt: salt, iterations: iterations, length: length)
            #expect(new == old, "round \(round): \(password.count)-byte password, \(salt.count)-byte salt, \(iterations) iterations, \(length) bytes")
        }
    }

    @Test func aSecretHashedNowVerifiesWithTheOldCode() {
        let salt = ClientSecret.randomSalt()
        let stored = ClientSecret.hash("new-secret", salt: salt, iterations: 2_000)
        let expected = LegacyPBKDF2.derive(password: Array("new-secret".utf8), salt: salt, iterations: 2_000, length: 32)
        #expect(stored.hasSuffix("$\(ClientSecret.hex(expected))"))
    }
}

/// The hand-written PBKDF2-HMAC-SHA256 Arbor used before issue 11 item 4, kept verbatim as the
/// reference the replacement must agree with.
enum LegacyPBKDF2 {
    static func derive(password: [UInt8], salt: [UInt8], iterations: Int, length: Int) -> [UInt8] {
        let keyed = HMAC<SHA256>(key: SymmetricKey(data: password))
        var output: [UInt8] = []
        output.reserveCapacity(length)
        var block: UInt32 = 1
        while output.count < length {
            var mac = keyed
            mac.update(data: salt)
            mac.update(data: withUnsafeBytes(of: block.bigEndian) { Array($0) })
            var u = Array(mac.finalize())
            var t = u
            for _ in 1..<max(iterations, 1) {
                var next = keyed
                next.update(data: u)
                u = Array(next.finalize())
                for i in 0..<t.count { t[i] ^= u[i] }
            }
            output += t.prefix(length - output.count)
            block += 1
        }
        return output
    }
}
