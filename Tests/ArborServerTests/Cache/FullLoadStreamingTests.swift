import ArborCore
import ArborEdge
@testable import ArborServer
import ArborStore
import ArborTesting
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import Synchronization
import Testing

/// FullLoad answers are streamed (issue 12): the same entities as before, buffer by buffer, the
/// binary form closed by an empty end buffer; a load that fails after its first byte reaches the
/// edge as an error and registers nothing.
@Suite struct FullLoadStreamingTests {
    static let entityCount = 1_250
    static let deltasPerBuffer = 100

    /// Aborts every snapshot once `allowedChunks` chunks were sent, when armed.
    final class AbortingControl: ControlAndParams {
        let allowedChunks: Int
        private let asked = Mutex(0)
        private let armed = Mutex(false)
        init(allowedChunks: Int) { self.allowedChunks = allowedChunks }
        func arm() { armed.withLock { $0 = true } }
        func statusChanged(subsystem: String, status: String) async {}
        func exceptionalCondition(_ name: String, entered: Bool, detail: String) async {}
        func event(_ name: String, detail: String) async {}
        func count(_ counter: String, by amount: Int) async {}
        func shouldAbortSnapshot(clientId: String) async -> Bool {
            guard armed.withLock({ $0 }) else { return false }
            return asked.withLock { count in
                count += 1
                return count > allowedChunks
            }
        }
    }

    /// A site holding `entityCount` customers on slice `load`, served over HTTP.
    static func withSite(_ control: AbortingControl, _ body: (_ baseURL: String, _ context: SiteContext, _ follower: ClientRecord) async throws -> Void) async throws {
        let place = try TestStores.place(.sqlite)
        let store = try await TestStores.open(place, prefix: TestStores.randomPrefix(), siteName: "center")
        let logger = Logger(label: "arbor.test.full-load", factory: { _ in SwiftLogNoOpLogHandler() })
        var settings = SiteServerSettings()
        settings.maximumDeltasPerLoadBuffer = deltasPerBuffer
        let plugs = LoggingPlugs(logger: logger)
        let context = SiteContext(
            settings: settings, store: store, entities: EntitiesSubsystem(store: store, limits: settings.limits),
            logTail: LogTail(store: store, maximumBufferBytes: settings.limits.maximumTransactionBytes, logger: logger),
            registrations: RegistrationTable(store: store), clients: ClientDirectory(store: store, logger: logger),
            objectsReader: StoreObjectsReader(store: store), cacheNotifier: plugs, control: control, permit: AllowAllPermit(),
            connectedToCenter: { true }, logger: logger
        )
        let follower = try await store.addClient(id: "follower", bit: nil)
        try await context.clients.refresh()
        for start in stride(from: 0, to: entityCount, by: 250) {
            let writes = (start..<min(start + 250, entityCount)).map {
                Samples.customerCreate(id: Fixtures.id($0), name: "customer \($0)", topics: Fixtures.topics("load"))
            }
            _ = try await context.entities.write(writes)
        }
        try await InProcessHTTPSite.serving(context, store: store, place: place, logger: logger) { baseURL in
            try await body(baseURL, context, follower)
        }
    }

    static func edge(_ baseURL: String, format: EdgeConfiguration.Format) throws -> Edge {
        try Edge(configuration: EdgeConfiguration(
            servers: [baseURL], clientId: "follower", useRegistration: true, schema: Fixtures.retailSchema, format: format, requestTimeout: .seconds(120)
        ))
    }

    /// The raw answer to a binary FullLoad of `load`: its status, headers and as much body as arrived.
    static func rawLoad(_ baseURL: String) async throws -> (status: UInt, endMark: String?, body: [UInt8], failed: Bool) {
        var request = HTTPClientRequest(url: baseURL + "/arbor/1/cache/full-load")
        request.method = .POST
        request.headers.add(name: ArborProtocol.Header.clientId, value: "follower")
        request.headers.add(name: "Content-Type", value: ArborProtocol.jsonMediaType)
        request.headers.add(name: "Accept", value: ArborProtocol.deltaBuffersMediaType)
        request.body = .bytes(ByteBuffer(string: #"{"slice":"load"}"#))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
        var body: [UInt8] = []
        var failed = false
        do {
            for try await chunk in response.body { body += chunk.readableBytesView }
        } catch {
            failed = true
        }
        return (response.status.code, response.headers.first(name: ArborProtocol.Header.endMark), body, failed)
    }

    @Test func aLargeStreamedLoadDecodesAsTheWholeAnswer() async throws {
        try await Self.withSite(AbortingControl(allowedChunks: .max)) { baseURL, context, follower in
            let binary = try await Self.edge(baseURL, format: .binary).fullLoad(slice: "load")
            let json = try await Self.edge(baseURL, format: .json).fullLoad(slice: "load")
            let expected = Set((0..<Self.entityCount).map { Fixtures.id($0) })
            #expect(binary.deltas.count == Self.entityCount)
            #expect(Set(binary.deltas.map(\.techId)) == expected)
            #expect(binary.buffers == json.buffers, "binary and JSON carry the same buffers")
            #expect(binary.buffers.count == Self.entityCount / Self.deltasPerBuffer + 1)
            #expect(binary.buffers.allSatisfy { !$0.deltas.isEmpty && $0.deltas.count <= Self.deltasPerBuffer && $0.sequence == binary.sequence })
            #expect(binary.deltas.allSatisfy { $0.operation == .create })
            let states = try await context.registrations.states(of: follower.bit, on: expected)
            #expect(states.values.allSatisfy { $0 == .synchronized }, "the loaded entities are registered")

            let raw = try await Self.rawLoad(baseURL)
            #expect(raw.status == 200 && !raw.failed)
            #expect(raw.endMark == ArborProtocol.emptyBufferEndMark)
            var framer = DeltaBufferFramer()
            framer.append(raw.body)
            var frames: [DeltaBuffer] = []
            while let frame = try framer.nextFrame() { frames.append(try DeltaBufferCodec.decode(frame, schema: Fixtures.retailSchema)) }
            try framer.finish()
            #expect(frames.last?.deltas.isEmpty == true, "the body ends with the empty end buffer")
            #expect(frames.dropLast().elementsEqual(binary.buffers), "the buffers before the end mark are the load")
        }
    }

    @Test func aLoadThatFailsAfterItsFirstByteIsAnErrorAtTheEdgeAndRegistersNothing() async throws {
        let control = AbortingControl(allowedChunks: 3)
        try await Self.withSite(control) { baseURL, context, follower in
            control.arm()
            let raw = try await Self.rawLoad(baseURL)
            #expect(raw.status == 200, "the answer had started")
            #expect(raw.failed || !raw.body.isEmpty, "some buffers went out before the failure")
            for format in [EdgeConfiguration.Format.binary, .json] {
                do {
                    let load = try await Self.edge(baseURL, format: format).fullLoad(slice: "load")
                    Issue.record("a load cut short was taken as \(load.deltas.count) entities (\(format))")
                } catch {}
            }
            let states = try await context.registrations.states(of: follower.bit, on: Set((0..<Self.entityCount).map { Fixtures.id($0) }))
            #expect(states.values.allSatisfy { $0 == .unregistered }, "nothing was registered by a load cut short")
        }
    }
}
