import ArborCore
import ArborEdge
import ArborServer
import ArborStore
import Foundation
import Logging
import ServiceLifecycle

/// `arbor-bench site-latency`: one site served on loopback; an app edge writes, a registered
/// edge follows with long polls. Reports write→edge latency (append call start to the delta in
/// the follower's hands) p50/p99, the append round trip for comparison, and the FullLoad rate in
/// binary and JSON, with ratios from the same run.
struct SiteLatencyBenchmark {
    struct Options {
        var database: String?
        var writes = 500
        var entities = 5_000

        init(_ arguments: ArraySlice<String>) throws {
            for (flag, value) in try ArborBenchOptions.flagValues(arguments) {
                switch flag {
                case "--db": database = value
                case "--writes": writes = try Self.positive(value, flag)
                case "--entities": entities = try Self.positive(value, flag)
                default: throw ArborBenchOptions.UsageError(message: "unknown option \(flag)")
                }
            }
        }

        static func positive(_ value: String, _ flag: String) throws -> Int {
            guard let number = Int(value), number > 0 else { throw ArborBenchOptions.UsageError(message: "\(flag) must be a positive integer") }
            return number
        }
    }

    let options: Options

    init(_ options: Options) {
        self.options = options
    }

    func run() async throws -> String {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-bench-\(UUID().uuidString).sqlite").path
        let location = try DatabaseLocation(parsing: options.database ?? "sqlite:\(scratch)")
        let prefix = try TablePrefix("bench\(UInt16.random(in: .min ... .max))_")
        let schema = DistributionSchema.exampleRetail
        let logger = Logger(label: "arbor.bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let store = try await SiteStores.open(StoreConfiguration(location: location, schema: schema, prefix: prefix, siteName: "center"), logger: logger)
        try await store.install(upgradingSchema: false)
        _ = try await store.addClient(id: "follower", bit: nil)
        _ = try await store.addClient(id: "app", bit: nil)
        let context = SiteContext.standard(settings: SiteServerSettings(), store: store, connectedToCenter: { true }, logger: logger)
        let (ports, portReady) = AsyncStream<Int>.makeStream()
        let group = ServiceGroup(configuration: .init(
            services: [try SiteApplication(context: context, port: 0).makeService { portReady.yield($0) }], logger: logger
        ))
        let serving = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw ArborBenchOptions.UsageError(message: "the site did not start") }
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        do {
            let report = try await measure(baseURL: "http://127.0.0.1:\(port)", schema: schema)
            await group.triggerGracefulShutdown()
            _ = try? await serving.value
            try? await store.uninstall()
            await store.close()
            return report
        } catch {
            await group.triggerGracefulShutdown()
            try? await store.uninstall()
            await store.close()
            throw error
        }
    }

    private func measure(baseURL: String, schema: DistributionSchema) async throws -> String {
        let app = try Edge(configuration: EdgeConfiguration(servers: [baseURL], clientId: "app", schema: schema))
        let follower = try Edge(configuration: EdgeConfiguration(
            servers: [baseURL], clientId: "follower", useRegistration: true, schema: schema, fetchWait: .seconds(10)
        ))
        _ = try await follower.fullLoad(slice: "bench")
        let clock = ContinuousClock()
        var latencies: [Duration] = []
        var roundTrips: [Duration] = []
        for number in 0..<options.writes {
            let write = EntityWrite(.create(inCache: true), entityClass: "Customer", techId: UUID(),
                                    topics: try TopicsList(parsing: ",bench,"), fields: ["name": .text("w\(number)"), "vip": .bool(false)])
            let started = clock.now
            async let received = follower.fetchDeltas()
            _ = try await app.append([write])
            roundTrips.append(clock.now - started)
            let buffers = try await received
            guard buffers.flatMap(\.deltas).contains(where: { $0.techId == write.techId }) else {
                throw ArborBenchOptions.UsageError(message: "write \(number) did not reach the follower")
            }
            latencies.append(clock.now - started)
        }
        // FullLoad rate: a slice of `entities` entities, loaded in binary and in JSON.
        var batch: [EntityWrite] = []
        for number in 0..<options.entities {
            batch.append(EntityWrite(.create(inCache: true), entityClass: "Customer", techId: UUID(),
                                     topics: try TopicsList(parsing: ",load,"), fields: ["name": .text("e\(number)"), "vip": .bool(true)]))
            if batch.count == 500 || number == options.entities - 1 {
                _ = try await app.append(batch)
                batch.removeAll()
            }
        }
        let binaryRate = try await loadRate(baseURL: baseURL, schema: schema, format: .binary)
        let jsonRate = try await loadRate(baseURL: baseURL, schema: schema, format: .json)
        let bytes = try await Self.firstByte(baseURL: baseURL, slice: "load")
        let sortedLatency = latencies.sorted(), sortedTrips = roundTrips.sorted()
        let report: [String: Any] = [
            "benchmark": "site-latency", "writes": options.writes, "entities": options.entities,
            "backend": options.database?.hasPrefix("postgres") == true ? "postgres" : "sqlite",
            "writeToEdgeMillisecondsP50": Self.milliseconds(Self.percentile(sortedLatency, 0.50)),
            "writeToEdgeMillisecondsP99": Self.milliseconds(Self.percentile(sortedLatency, 0.99)),
            "appendRoundTripMillisecondsP50": Self.milliseconds(Self.percentile(sortedTrips, 0.50)),
            "deliveryOverAppendRatioP50": Self.milliseconds(Self.percentile(sortedLatency, 0.50)) / max(0.001, Self.milliseconds(Self.percentile(sortedTrips, 0.50))),
            "fullLoadEntitiesPerSecondBinary": binaryRate, "fullLoadEntitiesPerSecondJSON": jsonRate,
            "fullLoadBinaryOverJSONRatio": binaryRate / max(1, jsonRate),
            "fullLoadFirstByteMilliseconds": bytes.firstByte, "fullLoadLastByteMilliseconds": bytes.lastByte,
            "fullLoadFirstOverLastByteRatio": bytes.firstByte / max(0.001, bytes.lastByte),
        ]
        let data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    private func loadRate(baseURL: String, schema: DistributionSchema, format: EdgeConfiguration.Format) async throws -> Double {
        let loader = try Edge(configuration: EdgeConfiguration(
            servers: [baseURL], clientId: "follower", useRegistration: true, schema: schema, format: format
        ))
        let started = ContinuousClock.now
        let load = try await loader.fullLoad(slice: "load")
        let seconds = Self.seconds(ContinuousClock.now - started)
        guard load.deltas.count == options.entities else {
            throw ArborBenchOptions.UsageError(message: "full load returned \(load.deltas.count) of \(options.entities) entities")
        }
        return Double(load.deltas.count) / seconds
    }

    static func percentile(_ sorted: [Duration], _ fraction: Double) -> Duration {
        guard !sorted.isEmpty else { return .zero }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.down)))]
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func milliseconds(_ duration: Duration) -> Double { (seconds(duration) * 1e6).rounded() / 1e3 }
}

typealias ArborBenchOptions = Options
