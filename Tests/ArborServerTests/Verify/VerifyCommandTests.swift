import ArborCore
import ArborServer
import ArborTesting
import Foundation
import Testing

/// The real `arbor verify` executable against two in-process sites: its exit codes and output.
@Suite(.heavy) struct VerifyCommandTests {
    /// Runs `arbor verify` with `arguments`, waiting for its exit without blocking a thread.
    static func verify(_ arguments: [String]) async throws -> ArborCommand.Run {
        try await ArborCommand.run(["verify"] + arguments)
    }

    @Test func exitsZeroWhenEqualOneWhenDifferentTwoOnErrors() async throws {
        try await VerifySites.with(.sqlite) { sites in
            let id = Fixtures.id(1)
            try await sites.write(Samples.customerCreate(id: id), at: 1_000, to: [sites.a, sites.b])
            try await sites.write(Samples.customerCreate(id: Fixtures.id(2), inCache: false), at: 1_001, to: [sites.a, sites.b])
            let arguments = ["--site", sites.a.baseURL, "--against", sites.b.baseURL, "--slice", "A", "--client-id", VerifySites.clientId]

            let equal = try await Self.verify(arguments)
            #expect(equal.status == 0, "\(equal.output)\(equal.errors)")
            #expect(equal.output.contains("equal: 2 entities match"), "\(equal.output)")
            #expect(equal.output.hasPrefix("A: \(sites.a.baseURL) at sequence "), "\(equal.output)")
            #expect(equal.output.contains("B: \(sites.b.baseURL) at sequence "), "\(equal.output)")

            try await sites.write(EntityWrite(.update, entityClass: "Customer", techId: id, fields: ["name": .text("Eve")]), at: 2_000, to: [sites.b])
            try await sites.write(Samples.customerCreate(id: Fixtures.id(3)), at: 2_001, to: [sites.a])
            let different = try await Self.verify(arguments)
            #expect(different.status == 1, "\(different.output)\(different.errors)")
            #expect(different.output.contains("Customer \(id.uuidString) differs"), "\(different.output)")
            #expect(different.output.contains("Customer \(Fixtures.id(3).uuidString) only at A"), "\(different.output)")
            #expect(different.output.contains("different: 1 differ, 1 only at A, 0 only at B, 1 match"), "\(different.output)")

            let unknownClient = try await Self.verify(Array(arguments.dropLast()) + ["nobody"])
            #expect(unknownClient.status == 2)
            #expect(unknownClient.errors.contains("UnknownClient"), "\(unknownClient.errors)")
            #expect(unknownClient.errors.contains("site A (\(sites.a.baseURL))"), "\(unknownClient.errors)")

            let badSlice = try await Self.verify(["--site", sites.a.baseURL, "--against", sites.b.baseURL, "--slice", "A+", "--client-id", VerifySites.clientId])
            #expect(badSlice.status == 2)
            #expect(badSlice.errors.contains("SliceSyntax"), "\(badSlice.errors)")

            let badURL = try await Self.verify(["--site", "not a url", "--against", sites.b.baseURL, "--slice", "A", "--client-id", VerifySites.clientId])
            #expect(badURL.status == 2)
            #expect(badURL.errors.contains("--site"), "\(badURL.errors)")
        }
    }

    @Test func comparesSitesWhoseCheckingClientHasASecret() async throws {
        try await VerifySites.with(.sqlite) { sites in
            try await sites.write(Samples.customerCreate(id: Fixtures.id(1)), at: 1_000, to: [sites.a, sites.b])
            let secret = "verify-\(UUID().uuidString)"
            for site in [sites.a, sites.b] {
                try await site.store.setClientSecretHash(id: VerifySites.clientId, hash: ClientSecret.hash(secret, salt: ClientSecret.randomSalt(), iterations: 1_000))
                try await site.context.clients.refresh()
            }
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("verify-secret-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let right = directory.appendingPathComponent("right"), wrong = directory.appendingPathComponent("wrong")
            try Data("\(secret)\n".utf8).write(to: right)
            try Data("not-\(secret)".utf8).write(to: wrong)
            let arguments = ["--site", sites.a.baseURL, "--against", sites.b.baseURL, "--slice", "A", "--client-id", VerifySites.clientId]

            let withSecret = try await Self.verify(arguments + ["--secret-file", right.path])
            #expect(withSecret.status == 0 && withSecret.output.contains("equal: 1 entity matches"), "\(withSecret)")
            let without = try await Self.verify(arguments)
            #expect(without.status == 2 && without.errors.contains("NotAuthenticated"), "\(without)")
            let wrongSecret = try await Self.verify(arguments + ["--secret-file", wrong.path])
            #expect(wrongSecret.status == 2 && wrongSecret.errors.contains("NotAuthenticated"), "\(wrongSecret)")
            let missing = try await Self.verify(arguments + ["--secret-file", directory.appendingPathComponent("absent").path])
            #expect(missing.status == 64 && missing.errors.contains("--secret-file: cannot read the secret file"), "\(missing)")
        }
    }
}
