import ArborCore
import ArborServer
import ArborStore
import ArborTesting
import Foundation
import Testing

/// `arbor clients add --secret-file/--generate-secret` and `arbor clients set-secret`: only the
/// hash is stored, a generated secret is printed once, and no hash is ever printed.
@Suite(.heavy) struct ClientsSecretCommandTests {
    @Test(arguments: TestStores.available)
    func addAndSetSecretStoreOnlyHashes(backend: TestStores.Backend) async throws {
        let place = try TestStores.place(backend)
        let prefix = TestStores.randomPrefix()
        let store = try await TestStores.open(place, prefix: prefix)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-secret-cli-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try await Self.check(store, directory) { arguments in try await ArborCommand.clients(arguments, at: place, prefix: prefix) }
        } catch {
            try? FileManager.default.removeItem(at: directory)
            await TestStores.remove(store, place)
            throw error
        }
        try? FileManager.default.removeItem(at: directory)
        await TestStores.remove(store, place)
    }

    private static func check(_ store: any SiteStore, _ directory: URL, _ clients: ([String]) async throws -> ArborCommand.Run) async throws {
        func hash(_ id: String) async throws -> String? { try await store.clients().first { $0.clientId == id }?.secretHash }

        // Generated: printed once, stored as a hash that verifies it.
        let generated = try await clients(["add", "shop", "--generate-secret"])
        // Only the secret on standard output (so it can be redirected into a file), the sentence on standard error.
        #expect(generated.status == 0 && generated.errors.contains("added client 'shop' with bit 0"), "\(generated)")
        let secret = generated.output.trimmingCharacters(in: .newlines)
        #expect(!secret.isEmpty && !secret.contains(" ") && !secret.contains("\n"), "stdout is not the secret alone: \(generated)")
        let shopHash = try #require(try await hash("shop"))
        #expect(ClientSecret.verify(secret, against: shopHash))
        #expect(!generated.output.contains(shopHash) && !generated.output.contains("pbkdf2"), "a hash was printed: \(generated)")

        // From a file: not printed.
        let file = directory.appendingPathComponent("kiosk.secret")
        try Data("file-secret-1\n".utf8).write(to: file)
        let fromFile = try await clients(["add", "kiosk", "--secret-file", file.path])
        #expect(fromFile.status == 0 && !fromFile.output.contains("file-secret-1") && !fromFile.errors.contains("shown only now"), "\(fromFile)")
        #expect(ClientSecret.verify("file-secret-1", against: try #require(try await hash("kiosk"))))

        // Without a secret option: no hash.
        let plain = try await clients(["add", "till"])
        #expect(plain.status == 0, "\(plain)")
        #expect(try await hash("till") == nil)

        // set-secret: from a file, generated, removed.
        try Data("file-secret-2".utf8).write(to: file)
        let set = try await clients(["set-secret", "till", "--secret-file", file.path])
        #expect(set.status == 0 && set.output.contains("set the secret of client 'till'") && !set.output.contains("file-secret-2"), "\(set)")
        #expect(ClientSecret.verify("file-secret-2", against: try #require(try await hash("till"))))
        let regenerated = try await clients(["set-secret", "shop", "--generate-secret"])
        #expect(regenerated.status == 0 && regenerated.errors.contains("shown only now"), "\(regenerated)")
        #expect(!ClientSecret.verify(secret, against: try #require(try await hash("shop"))), "the old secret still works")
        let removed = try await clients(["set-secret", "shop", "--none"])
        #expect(removed.status == 0 && removed.output.contains("removed the secret of client 'shop'"), "\(removed)")
        #expect(try await hash("shop") == nil)

        // Refusals: unknown id, no source, two sources, an empty file; nothing changes.
        let unknown = try await clients(["set-secret", "nobody", "--generate-secret"])
        #expect(unknown.status == 1 && unknown.errors.contains("no client 'nobody'"), "\(unknown)")
        #expect(unknown.output.isEmpty, "a secret was printed for a refused command: \(unknown)")
        let none = try await clients(["set-secret", "till"])
        #expect(none.status == 64, "\(none)")
        let both = try await clients(["set-secret", "till", "--none", "--generate-secret"])
        #expect(both.status == 64, "\(both)")
        let twoSources = try await clients(["add", "pos", "--generate-secret", "--secret-file", file.path])
        #expect(twoSources.status == 64, "\(twoSources)")
        try Data("\n".utf8).write(to: file)
        let empty = try await clients(["set-secret", "till", "--secret-file", file.path])
        #expect(empty.status == 1 && empty.errors.contains("visible ASCII"), "\(empty)")
        #expect(ClientSecret.verify("file-secret-2", against: try #require(try await hash("till"))), "a refused command changed the hash")
    }
}
