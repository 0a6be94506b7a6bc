import ArborCore
import ArborStore
import Foundation
import PostgresNIO
import Synchronization

/// Runs the store-write workload through `PostgresSiteStore` and through the naive log, and
/// reports both rates as one JSON object.
struct StoreWriteBenchmark {
    let options: Options

    /// A small schema: one class with two fields.
    static let schema: DistributionSchema = {
        do {
            return try DistributionSchema(name: "bench-v1", classes: [
                EntityClass(name: "Item", fields: [FieldDefinition(name: "value", type: .bigint), FieldDefinition(name: "label", type: .text)])
            ])
        } catch {
            preconditionFailure("the benchmark schema is invalid: \(error)")
        }
    }()

    /// The result printed.
    struct Report: Encodable, CustomStringConvertible {
        struct Rate: Encodable {
            var seconds: Double
            var transactionsPerSecond: Double
        }

        var benchmark = "store-write"
        var writers: Int
        var transactions: Int
        var arbor: Rate
        var naive: Rate
        /// arbor / naive transactions per second.
        var ratio: Double

        var description: String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        }
    }

    func run() async throws -> Report {
        var logger = Logger(label: "arbor.bench")
        logger.logLevel = .critical
        let suffix = String(format: "%06x", UInt32.random(in: 0...0xFF_FFFF))
        let arbor = try await measureArbor(prefix: try TablePrefix("bench_\(suffix)_"), logger: logger)
        let naive = try await NaiveLog(location: options.location, prefix: "naive_\(suffix)_", schema: Self.schema, logger: logger)
            .measure(writers: options.writers, transactions: options.transactions)
        return Report(
            writers: options.writers, transactions: options.transactions,
            arbor: Report.Rate(seconds: arbor, transactionsPerSecond: Double(options.transactions) / arbor),
            naive: Report.Rate(seconds: naive, transactionsPerSecond: Double(options.transactions) / naive),
            ratio: naive / arbor
        )
    }

    /// Seconds taken by `transactions` writes from `writers` concurrent tasks.
    private func measureArbor(prefix: TablePrefix, logger: Logger) async throws -> Double {
        let configuration = StoreConfiguration(location: .postgres(options.location), schema: Self.schema, prefix: prefix, siteName: "center")
        let store = try await PostgresSiteStore.open(configuration, logger: logger)
        do {
            try await store.install(upgradingSchema: false)
            let seconds = try await Self.timed(writers: options.writers, transactions: options.transactions) { number in
                let entity = Self.item(number)
                _ = try await store.write(reading: [entity.key]) { _ in
                    TransactionPlan(upserts: [entity], deltas: [Self.create(entity)], result: ())
                }
            }
            try await store.uninstall()
            await store.close()
            return seconds
        } catch {
            try? await store.uninstall()
            await store.close()
            throw error
        }
    }

    /// Runs `work(number)` for numbers 0..<transactions spread over `writers` tasks, after a
    /// short unmeasured warm-up, and returns the seconds the measured part took.
    static func timed(writers: Int, transactions: Int, _ work: @escaping @Sendable (Int) async throws -> Void) async throws -> Double {
        for number in 0..<min(20, transactions) { try await work(-1 - number) }
        let next = Counter()
        let clock = ContinuousClock()
        let elapsed = try await clock.measure {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<writers {
                    group.addTask {
                        while let number = next.take(below: transactions) { try await work(number) }
                    }
                }
                try await group.waitForAll()
            }
        }
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// A new `Item` entity.
    static func item(_ number: Int) -> EntityState {
        let time = HybridTimestamp(microseconds: Int64(1_000_000 + number))
        return EntityState(
            entityClass: "Item", techId: UUID(), topics: TopicsList.empty, topicsTime: time,
            fields: [
                "deleted": TimedValue(.bool(false), at: time), "value": TimedValue(.bigint(Int64(number)), at: time),
                "label": TimedValue(.text("item \(number)"), at: time),
            ]
        )
    }

    /// The CREATE delta of `entity`.
    static func create(_ entity: EntityState) -> Delta {
        Delta(
            operation: .create, entityClass: entity.entityClass, techId: entity.techId, updateTime: entity.updateTime,
            topics: entity.topics, topicsTime: entity.topicsTime, inCache: entity.inCache, fields: entity.fields
        )
    }
}

/// Hands out numbers 0, 1, 2, … to concurrent writers.
final class Counter: Sendable {
    private let value = Mutex(0)

    func take(below limit: Int) -> Int? {
        value.withLock { value in
            guard value < limit else { return nil }
            defer { value += 1 }
            return value
        }
    }
}
