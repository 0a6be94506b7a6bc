import ArborCore
import ArborEdge
import ArborServer
import ArborStore
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// `arbor-bench secret-flood [--rate 200] [--appends 300]` (issue 11 item 4): one SQLite site
/// on loopback whose clients have secrets at the default iterations. A legitimate client's
/// append round trip is measured idle, then while another task sends `rate` appends per second
/// with wrong secrets (from the same address). Reports both p50/p99, their ratio and how the
/// flood was answered. The flood runs in the same process, so it also takes CPU from the site.
struct SecretFloodBenchmark {
    var rate = 200
    var appends = 300

    init(_ arguments: ArraySlice<String>) throws {
        for (flag, value) in try ArborBenchOptions.flagValues(arguments) {
            switch flag {
            case "--rate": rate = try SiteLatencyBenchmark.Options.positive(value, flag)
            case "--appends": appends = try SiteLatencyBenchmark.Options.positive(value, flag)
            default: throw ArborBenchOptions.UsageError(message: "unknown option \(flag)")
            }
        }
    }

    func run() async throws -> String {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-bench-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let schema = DistributionSchema.exampleRetail
        let logger = Logger(label: "arbor.bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let store = try await SiteStores.open(StoreConfiguration(
            location: try DatabaseLocation(parsing: "sqlite:\(scratch)"), schema: schema, prefix: try TablePrefix("bench_"), siteName: "center"
        ), logger: logger)
        try await store.install(upgradingSchema: false)
        for client in ["app", "shop"] {
            _ = try await store.addClient(id: client, bit: nil)
            try await store.setClientSecretHash(id: client, hash: ClientSecret.hash("\(client)-secret", salt: ClientSecret.randomSalt()))
        }
        let context = SiteContext.standard(settings: SiteServerSettings(), store: store, connectedToCenter: { true }, logger: logger)
        try await context.clients.refresh()
        let (ports, portReady) = AsyncStream<Int>.makeStream()
        let group = ServiceGroup(configuration: .init(
            services: [try SiteApplication(context: context, port: 0).makeService { portReady.yield($0) }], logger: logger
        ))
        let serving = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw ArborBenchOptions.UsageError(message: "the site did not start") }
        do {
            let report = try await measure(baseURL: "http://127.0.0.1:\(port)", schema: schema)
            await group.triggerGracefulShutdown()
            _ = try? await serving.value
            await store.close()
            return report
        } catch {
            await group.triggerGracefulShutdown()
            _ = try? await serving.value
            await store.close()
            throw error
        }
    }

    private func measure(baseURL: String, schema: DistributionSchema) async throws -> String {
        let app = try Edge(configuration: EdgeConfiguration(servers: [baseURL], clientId: "app", clientSecret: "app-secret", schema: schema))
        _ = try await app.append([try write(0)])  // pays the one key derivation
        let idle = try await roundTrips(app, from: 1)
        let answers = StatusCounts()
        let flooding = Task { await flood(baseURL: baseURL, answers: answers) }
        try await Task.sleep(for: .seconds(2))  // the flood is in full swing
        let started = ContinuousClock.now
        let flooded = try await roundTrips(app, from: 1 + appends)
        let floodSeconds = SiteLatencyBenchmark.seconds(ContinuousClock.now - started) + 2
        flooding.cancel()
        _ = await flooding.value
        let counts = answers.counts.withLock { $0 }
        let idleP99 = SiteLatencyBenchmark.milliseconds(SiteLatencyBenchmark.percentile(idle, 0.99))
        let floodP99 = SiteLatencyBenchmark.milliseconds(SiteLatencyBenchmark.percentile(flooded, 0.99))
        let report: [String: Any] = [
            "benchmark": "secret-flood", "appends": appends, "floodRequestsPerSecondTarget": rate,
            "floodRequestsPerSecondSent": Double(counts.filter { $0.key >= 0 }.values.reduce(0, +)) / floodSeconds,
            "floodAnswers": Dictionary(uniqueKeysWithValues: counts.map { (String($0.key), $0.value) }),
            "idleAppendMillisecondsP50": SiteLatencyBenchmark.milliseconds(SiteLatencyBenchmark.percentile(idle, 0.50)),
            "idleAppendMillisecondsP99": idleP99,
            "floodAppendMillisecondsP50": SiteLatencyBenchmark.milliseconds(SiteLatencyBenchmark.percentile(flooded, 0.50)),
            "floodAppendMillisecondsP99": floodP99,
            "floodOverIdleRatioP99": floodP99 / max(0.001, idleP99),
        ]
        return String(decoding: try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys]), as: UTF8.self)
    }

    private func roundTrips(_ app: Edge, from first: Int) async throws -> [Duration] {
        var trips: [Duration] = []
        for number in first..<(first + appends) {
            let write = try write(number)
            let started = ContinuousClock.now
            _ = try await app.append([write])
            trips.append(ContinuousClock.now - started)
        }
        return trips.sorted()
    }

    private func write(_ number: Int) throws -> EntityWrite {
        EntityWrite(.create(inCache: true), entityClass: "Customer", techId: UUID(), topics: try TopicsList(parsing: ",bench,"),
                    fields: ["name": .text("w\(number)"), "vip": .bool(false)])
    }

    /// `rate` wrong-secret appends per second, in ticks of 20 ms, until cancelled; counts statuses.
    /// The flood has its own HTTP client (the edge's pool must not queue behind it) and at most
    /// one second's worth of requests outstanding; a request beyond that is counted as status -1
    /// (not sent), so the report shows the rate really sent.
    private func flood(baseURL: String, answers: StatusCounts) async {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 32
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let perTick = max(1, rate / 50)
        await withTaskGroup(of: Void.self) { group in
            var tick = ContinuousClock.now
            while !Task.isCancelled {
                for _ in 0..<perTick {
                    guard answers.outstanding.load(ordering: .relaxed) < rate else {
                        answers.counts.withLock { $0[-1, default: 0] += 1 }
                        continue
                    }
                    answers.outstanding.add(1, ordering: .relaxed)
                    group.addTask {
                        var request = HTTPClientRequest(url: baseURL + "/arbor/1/delta/append")
                        request.method = .POST
                        request.headers.add(name: ArborProtocol.Header.clientId, value: "shop")
                        request.headers.add(name: ArborProtocol.Header.clientSecret, value: "guess-\(UUID())")
                        request.body = .bytes(ByteBuffer(string: #"{"writes":[]}"#))
                        let status = (try? await client.execute(request, timeout: .seconds(30)))?.status.code
                        answers.counts.withLock { $0[Int(status ?? 0), default: 0] += 1 }
                        answers.outstanding.subtract(1, ordering: .relaxed)
                    }
                }
                tick += .milliseconds(20)
                try? await Task.sleep(until: tick, clock: .continuous)
            }
            group.cancelAll()
        }
        try? await client.shutdown()
    }
}

/// How the flood's requests were answered, by HTTP status (0: no answer, -1: not sent).
final class StatusCounts: Sendable {
    let counts = Mutex<[Int: Int]>([:])
    /// Flood requests sent and not yet answered.
    let outstanding = Atomic<Int>(0)
}
