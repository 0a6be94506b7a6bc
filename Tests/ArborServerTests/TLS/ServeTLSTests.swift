import ArborCore
import ArborEdge
import ArborTesting
import AsyncHTTPClient
import Foundation
import Testing

/// `arbor serve` over TLS (issue 6) with real processes on 127.0.0.1 and a throwaway CA.
@Suite(.serialized, .heavy) struct ServeTLSTests {
    @Test(.heavy(timeLimit: .seconds(120)))
    func anEdgeTrustingTheCALoadsAndFetchesOverHTTPS() async throws {
        let authority = try await TestCertificateAuthority.make()
        defer { authority.remove() }
        let site = try await TLSSite.start(
            name: "center", clients: ["shop"], settings: ["tlsCertificateFile": authority.certificateFile, "tlsKeyFile": authority.keyFile]
        )
        let client = try TLSSite.httpClient(trusting: authority.caFile)
        do {
            #expect(site.baseURL.hasPrefix("https://"))
            #expect(site.process.output.contains("on https://127.0.0.1:\(site.process.port)/arbor/1/"))
            let writer = try site.edge(clientId: TreeSite.appClient, caFile: authority.caFile, client: client)
            let first = UUID(), second = UUID()
            _ = try await writer.append([Self.customer(first)])

            let reader = try site.edge(clientId: "shop", caFile: authority.caFile, client: client)
            let load = try await reader.fullLoad(slice: "shared")
            #expect(load.deltas.map(\.techId) == [first])

            _ = try await writer.append([Self.customer(second)])
            var fetched: Set<UUID> = []
            let deadline = ContinuousClock.now + .seconds(30)
            while !fetched.contains(second), ContinuousClock.now < deadline {
                fetched.formUnion(try await reader.fetchDeltas().flatMap(\.deltas).map(\.techId))
            }
            #expect(fetched.contains(second), "the fetch over HTTPS returns the new write")
        } catch {
            try? await client.shutdown()
            await site.remove()
            throw error
        }
        try await client.shutdown()
        await site.remove()
    }

    @Test(.heavy(timeLimit: .seconds(120)))
    func clientsThatDoNotTrustTheCAOrSpeakPlainHTTPAreRefusedWithAClearError() async throws {
        let authority = try await TestCertificateAuthority.make()
        defer { authority.remove() }
        let site = try await TLSSite.start(
            name: "center", clients: [], settings: ["tlsCertificateFile": authority.certificateFile, "tlsKeyFile": authority.keyFile]
        )
        let systemRoots = try TLSSite.httpClient(trusting: nil)
        do {
            // A generous request timeout: an answer naming the certificate shows the failure
            // came from the handshake, not from waiting.
            let untrusting = try site.edge(caFile: nil, client: systemRoots, requestTimeout: .seconds(60))
            let refusal = await #expect(throws: EdgeError.self) { try await untrusting.status(server: .delta) }
            #expect(refusal?.code == .unreachable)
            #expect(refusal?.message.contains("certificate") == true, "message was: \(refusal?.message ?? "")")
            #expect(refusal?.message.contains("trustRootsFile") == true, "message was: \(refusal?.message ?? "")")

            let plain = try site.edge(caFile: nil, client: systemRoots, url: "http://127.0.0.1:\(site.process.port)", requestTimeout: .seconds(60))
            let plainRefusal = await #expect(throws: EdgeError.self) { try await plain.status(server: .delta) }
            #expect(plainRefusal?.code == .unreachable)
            #expect(plainRefusal?.message.contains("https://") == true, "message was: \(plainRefusal?.message ?? "")")
        } catch {
            try? await systemRoots.shutdown()
            await site.remove()
            throw error
        }
        try await systemRoots.shutdown()
        await site.remove()
    }

    @Test(.heavy(timeLimit: .seconds(120)))
    func verifyComparesHTTPSSitesWithItsCAFile() async throws {
        let authority = try await TestCertificateAuthority.make()
        defer { authority.remove() }
        let site = try await TLSSite.start(
            name: "center", clients: ["checker"], settings: ["tlsCertificateFile": authority.certificateFile, "tlsKeyFile": authority.keyFile]
        )
        do {
            let arguments = ["verify", "--site", site.baseURL, "--against", site.baseURL, "--slice", "shared", "--client-id", "checker", "--timeout", "30"]
            let trusted = try await ArborCommand.run(arguments + ["--ca-file", authority.caFile])
            #expect(trusted.status == 0, "\(trusted)")
            let untrusted = try await ArborCommand.run(arguments)
            #expect(untrusted.status == 2 && untrusted.errors.contains("not trusted") && untrusted.errors.contains("--ca-file"), "\(untrusted)")
            let unreadable = try await ArborCommand.run(arguments + ["--ca-file", authority.directory.appendingPathComponent("absent.pem").path])
            #expect(unreadable.status == 64 && unreadable.errors.contains("absent.pem"), "\(unreadable)")
        } catch {
            await site.remove()
            throw error
        }
        await site.remove()
    }

    @Test(.heavy(timeLimit: .seconds(60)))
    func serveWithoutTLSOrPlainHTTPExitsNamingBothChoices() async throws {
        let database = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-tls-\(UUID().uuidString).sqlite").path
        let run = try await ArborCommand.run(["serve", "--db", "sqlite:\(database)", "--host", "127.0.0.1", "--port", "0"])
        #expect(run.status != 0)
        #expect(run.errors.contains("tlsCertificateFile") && run.errors.contains("tlsKeyFile"), "\(run)")
        #expect(run.errors.contains("--plain-http"), "\(run)")
        #expect(!FileManager.default.fileExists(atPath: database), "nothing was opened before the configuration was checked")
    }

    static func customer(_ id: UUID) throws -> EntityWrite {
        EntityWrite(
            .create(inCache: true), entityClass: "Customer", techId: id, topics: try TopicsList(parsing: ",shared,"),
            fields: ["name": .text("customer \(id)"), "vip": .bool(false)]
        )
    }
}
