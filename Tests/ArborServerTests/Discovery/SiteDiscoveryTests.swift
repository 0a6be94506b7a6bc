import ArborEdge
import ArborServer
import ArborTesting
import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Testing

/// Local-network discovery (issue 14 item 3, Docs/discovery.md) on loopback only: a finder
/// asks 127.0.0.1 at the announcer's port, never a broadcast address.
@Suite("Site discovery")
struct SiteDiscoveryTests {
    @Test func aFinderGetsTheURLsOfASiteServingItsInstanceAndSchema() async throws {
        try await withAnnouncer(servers: ["http://127.0.0.1:8123"]) { port in
            let found = try await findAnswering(port)
            #expect(found == [SiteAnnouncement(instance: "1", schema: "retail", site: "east", servers: ["http://127.0.0.1:8123"], connectedToCenter: true)])
        }
    }

    @Test func anotherInstanceOrSchemaIsNotAnswered() async throws {
        try await withAnnouncer(servers: ["http://127.0.0.1:8123"]) { port in
            let finder = SiteFinder(destinations: ["127.0.0.1:\(port)"], wait: .milliseconds(600))
            let otherInstance = try await finder.find(instance: "2", schema: "retail")
            let otherSchema = try await finder.find(instance: "1", schema: "other")
            #expect(otherInstance.isEmpty && otherSchema.isEmpty)
        }
    }

    @Test func nothingIsAnnouncedBeforeTheProcessListens() async throws {
        try await withAnnouncer(servers: []) { port in
            let found = try await SiteFinder(destinations: ["127.0.0.1:\(port)"], wait: .milliseconds(600)).find(instance: "1", schema: "retail")
            #expect(found.isEmpty)
        }
    }

    @Test func foreignAndMalformedDatagramsAreIgnoredAndTheAnnouncerKeepsAnswering() async throws {
        try await withAnnouncer(servers: ["http://127.0.0.1:8123"]) { port in
            let junk: [[UInt8]] = [
                Array("hello".utf8), [0xFF, 0x00, 0x13], Array(#"{"arbor":"discover","version":1,"instance":"","schema":"retail"}"#.utf8),
                Array(#"{"arbor":"site","version":1,"instance":"1","schema":"retail","site":"x","servers":["http://evil"]}"#.utf8),
                [UInt8](repeating: UInt8(ascii: "{"), count: 9_000),
            ]
            try await sendDatagrams(junk, to: port)
            let found = try await findAnswering(port)
            #expect(found.map(\.site) == ["east"])
        }
    }

    @Test func aServeProcessWithAnnounceAnswersWithItsURL() async throws {
        let place = try TestStores.place(.sqlite)
        let store = try await TestStores.open(place, prefix: TestStores.randomPrefix())
        await store.close()
        let udpPort = try await freeUDPPort()
        var environment = ProcessInfo.processInfo.environment
        environment["ARBOR_ANNOUNCE"] = "true"
        environment["ARBOR_ANNOUNCE_ADDRESS"] = "127.0.0.1:\(udpPort)"
        environment["ARBOR_SITE"] = "west"
        let server = try await ServeProcess.start(["--db", place.databaseURL, "--prefix", store.prefix.value], environment: environment)
        do {
            var found: [SiteAnnouncement] = []
            // The UDP socket opens beside the listener; a few rounds cover its start.
            for _ in 0..<10 where found.isEmpty {
                found = try await SiteFinder(destinations: ["127.0.0.1:\(udpPort)"], wait: .milliseconds(500)).find(instance: "1", schema: Fixtures.retailSchema.name)
            }
            #expect(found.map(\.servers) == [[server.baseURL]], "\(server.output.suffix(1_000))")
            #expect(found.first?.site == "west")
            let listed = try await ArborCommand.run(["find", "--to", "127.0.0.1:\(udpPort)", "--json"])
            #expect(listed.status == 0 && listed.output.contains("\"site\" : \"west\"") && listed.output.contains(server.baseURL), "\(listed)")
            let other = try await ArborCommand.run(["find", "--to", "127.0.0.1:\(udpPort)", "--instance", "2", "--wait-milliseconds", "300"])
            #expect(other.status != 0 && other.errors.contains("no site of instance '2'"), "\(other)")
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test func announcingFromAWildcardAddressWithoutAnAdvertisedHostIsRefused() async throws {
        let place = try TestStores.place(.sqlite)
        let store = try await TestStores.open(place, prefix: TestStores.randomPrefix())
        await store.close()
        var environment = ProcessInfo.processInfo.environment
        environment["ARBOR_ANNOUNCE"] = "true"
        let run = try await ArborCommand.run(
            ["serve", "--db", place.databaseURL, "--prefix", store.prefix.value, "--host", "0.0.0.0", "--port", "0", "--plain-http"],
            environment: environment, terminateAfter: .seconds(30))
        #expect(run.status != 0 && run.errors.contains("set advertisedHost"), "\(run)")
    }

    @Test func wrongDestinationsAreRefusedWithTheFormExpected() throws {
        for text in ["localhost", "10.0.0.1:0", "10.0.0.1:70000", "[::1]:47100", "1.2.3:80", "1.2.3.4:x"] {
            #expect(throws: DiscoveryError.self, "\(text)") { _ = try SiteFinder.hostAndPort(text) }
        }
        let parsed = try SiteFinder.hostAndPort("192.168.1.255")
        #expect(parsed.host == "192.168.1.255" && parsed.port == DiscoveryDatagram.defaultPort)
    }

    // MARK: Helpers

    /// Asks the announcer at `port` until it answers, for at most 15 rounds of 2 s: a loaded
    /// machine can keep the announcer's task from running for longer than one round.
    private func findAnswering(_ port: Int) async throws -> [SiteAnnouncement] {
        var found: [SiteAnnouncement] = []
        for _ in 0..<15 where found.isEmpty {
            found = try await SiteFinder(destinations: ["127.0.0.1:\(port)"], wait: .seconds(2)).find(instance: "1", schema: "retail")
        }
        return found
    }

    /// Runs an announcer for site east (instance 1, schema retail) on a free loopback port.
    private func withAnnouncer(servers: [String], _ body: (Int) async throws -> Void) async throws {
        let logger = Logger(label: "test.announcer", factory: { _ in SwiftLogNoOpLogHandler() })
        let (ports, bound) = AsyncStream<Int>.makeStream()
        let announcer = SiteAnnouncer(
            host: "127.0.0.1", port: 0, instance: "1", schema: "retail", siteName: "east", servers: { servers }, connectedToCenter: { true },
            onBound: { bound.yield($0) }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [announcer], logger: logger))
        let task = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw TestStoreError("the announcer did not bind") }
        do {
            try await body(port)
        } catch {
            await group.triggerGracefulShutdown()
            _ = try? await task.value
            throw error
        }
        await group.triggerGracefulShutdown()
        try await task.value
    }

    private func sendDatagrams(_ datagrams: [[UInt8]], to port: Int) async throws {
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let target = try SocketAddress(ipAddress: "127.0.0.1", port: port)
        for datagram in datagrams {
            try? await channel.writeAndFlush(AddressedEnvelope(remoteAddress: target, data: ByteBuffer(bytes: datagram))).get()
        }
        try await channel.close()
    }

    private func freeUDPPort() async throws -> Int {
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close()
        return port
    }
}
