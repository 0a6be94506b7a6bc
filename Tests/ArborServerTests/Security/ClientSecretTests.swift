@testable import ArborServer
import Foundation
import Testing

/// PBKDF2-HMAC-SHA256 against known answers, and the stored form of client secrets (issue 6).
@Suite struct ClientSecretTests {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// RFC 7914 §11 (the two PBKDF2-HMAC-SHA256 vectors) and the widely published
    /// RFC 6070-style vectors for SHA-256.
    static let vectors: [(password: String, salt: String, iterations: Int, length: Int, hex: String)] = [
        ("passwd", "salt", 1, 64,
         "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783"),
        ("Password", "NaCl", 80_000, 64,
         "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d"),
        ("password", "salt", 4096, 32, "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"),
        ("passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096, 40,
         "348c89dbcbd32b2f32d814b8116e84cf2b17347ebc1800181c4e2a1fb8dd53e1c635518c7dac47e9"),
    ]

    @Test(arguments: 0..<vectors.count)
    func pbkdf2MatchesKnownAnswers(_ index: Int) {
        let vector = Self.vectors[index]
        let derived = ClientSecret.pbkdf2(password: Self.bytes(vector.password), salt: Self.bytes(vector.salt), iterations: vector.iterations, length: vector.length)
        #expect(ClientSecret.hex(derived) == vector.hex)
    }

    @Test func hashHasTheStoredFormAndVerifies() {
        let salt: [UInt8] = Array("salt".utf8)
        let stored = ClientSecret.hash("password", salt: salt, iterations: 4096)
        #expect(stored == "pbkdf2-sha256$4096$73616c74$c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a")
        #expect(ClientSecret.verify("password", against: stored))
        #expect(!ClientSecret.verify("Password", against: stored))
        #expect(!ClientSecret.verify("", against: stored))
        #expect(!ClientSecret.verify("password ", against: stored))
    }

    @Test func defaultHashUsesTheDefaultIterationsAndARandomSaltDiffers() {
        let one = ClientSecret.hash("s3cret", salt: ClientSecret.randomSalt())
        let two = ClientSecret.hash("s3cret", salt: ClientSecret.randomSalt())
        #expect(one.hasPrefix("pbkdf2-sha256$\(ClientSecret.defaultIterations)$"))
        #expect(one != two, "two salts give two hashes")
        #expect(ClientSecret.verify("s3cret", against: one) && ClientSecret.verify("s3cret", against: two))
    }

    @Test(arguments: [
        "", "pbkdf2-sha256$1$00$", "pbkdf2-sha256$0$00$00", "pbkdf2-sha256$x$00$00", "sha1$1$00$00",
        "pbkdf2-sha256$1$0$00", "pbkdf2-sha256$1$zz$00", "pbkdf2-sha256$99999999999$00$00", "pbkdf2-sha256$1$00$00$00",
    ])
    func malformedStoredHashesNeverVerify(_ stored: String) {
        #expect(!ClientSecret.verify("anything", against: stored))
    }

    @Test func generatedSecretsAreLongHexAndDistinct() throws {
        let one = ClientSecret.generate(), two = ClientSecret.generate()
        #expect(one.count == 64 && one.allSatisfy(\.isHexDigit))
        #expect(one != two)
        try ClientSecretFile.validate(one, source: "a generated secret")
    }

    @Test func constantTimeEqualComparesWholeArrays() {
        #expect(ClientSecret.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!ClientSecret.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!ClientSecret.constantTimeEqual([1, 2, 3], [1, 2]))
    }

    @Test func secretFilesAreTrimmedAndChecked() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-secret-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = directory.appendingPathComponent("good"), blank = directory.appendingPathComponent("blank")
        try Data("  abc-123\n".utf8).write(to: good)
        try Data(" \n".utf8).write(to: blank)
        #expect(try ClientSecretFile.read(good.path) == "abc-123")
        #expect(throws: ClientSecretFileError.self) { try ClientSecretFile.read(blank.path) }
        #expect(throws: ClientSecretFileError.self) { try ClientSecretFile.read(directory.appendingPathComponent("missing").path) }
    }
}
