import ArborCore
import ArborEdge
import ArborTesting
import AsyncHTTPClient
import Foundation
import Testing

/// The son→father link over TLS (issue 6): a center serving HTTPS with a throwaway CA, a son on
/// plain HTTP whose link trusts that CA through `fatherCAFile`.
@Suite(.serialized, .heavy) struct FatherLinkTLSTests {
    @Test(.heavy(timeLimit: .seconds(120)))
    func aWriteAtTheCenterReachesTheSonOverHTTPS() async throws {
        let authority = try await TestCertificateAuthority.make()
        defer { authority.remove() }
        let center = try await TLSSite.start(
            name: "center", sons: ["east"], clients: [], settings: ["tlsCertificateFile": authority.certificateFile, "tlsKeyFile": authority.keyFile]
        )
        var sites = [center]
        let client = try TLSSite.httpClient(trusting: authority.caFile)
        do {
            let east = try await TLSSite.start(name: "east", clients: ["checker"], settings: [
                "plainHTTP": true, "fatherServers": [center.baseURL], "fatherClientId": "east", "fatherSlice": "east",
                "fatherCAFile": authority.caFile,
            ])
            sites.append(east)
            let id = UUID()
            let write = EntityWrite(
                .create(inCache: true), entityClass: "Customer", techId: id, topics: try TopicsList(parsing: ",east,"),
                fields: ["name": .text("written at the center"), "vip": .bool(false)]
            )
            _ = try await center.edge(clientId: TreeSite.appClient, caFile: authority.caFile, client: client).append([write])

            let checker = try east.edge(clientId: "checker", caFile: nil, client: client)
            let deadline = ContinuousClock.now + .seconds(60)
            var arrived = false
            while !arrived, ContinuousClock.now < deadline {
                arrived = (try? await checker.fullLoad(slice: "east"))?.deltas.contains { $0.techId == id } ?? false
                if !arrived { try await Task.sleep(for: .milliseconds(200)) }
            }
            #expect(arrived, "the center's write did not reach the son within 60 s; son log: \(east.process.output.suffix(2_000))")
            // The link reports connected once a heartbeat over HTTPS was answered.
            var connected = false
            while !connected, ContinuousClock.now < deadline {
                connected = (try? await checker.status(server: .delta).connectedToCenter) ?? false
                if !connected { try await Task.sleep(for: .milliseconds(200)) }
            }
            #expect(connected)
        } catch {
            try? await client.shutdown()
            for site in sites.reversed() { await site.remove() }
            throw error
        }
        try await client.shutdown()
        for site in sites.reversed() { await site.remove() }
    }

    @Test(.heavy(timeLimit: .seconds(120)))
    func aSonWithoutTheCAStaysDisconnectedAndLogsWhy() async throws {
        let authority = try await TestCertificateAuthority.make()
        defer { authority.remove() }
        let center = try await TLSSite.start(
            name: "center", sons: ["east"], clients: [], settings: ["tlsCertificateFile": authority.certificateFile, "tlsKeyFile": authority.keyFile]
        )
        var sites = [center]
        do {
            let east = try await TLSSite.start(name: "east", clients: [], settings: [
                "plainHTTP": true, "fatherServers": [center.baseURL], "fatherClientId": "east", "fatherSlice": "east",
            ])
            sites.append(east)
            let deadline = ContinuousClock.now + .seconds(30)
            while !east.process.output.contains("not trusted"), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(east.process.output.contains("certificate is not trusted"), "son log: \(east.process.output.suffix(2_000))")
            let client = try TLSSite.httpClient(trusting: nil)
            let connected = try? await east.edge(caFile: nil, client: client).status(server: .delta).connectedToCenter
            try? await client.shutdown()
            #expect(connected == false)
        } catch {
            for site in sites.reversed() { await site.remove() }
            throw error
        }
        for site in sites.reversed() { await site.remove() }
    }
}
