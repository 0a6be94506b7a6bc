import ArborCore
import ArborStore
import Foundation

extension StoreConformance {
    static let installChecks: [Check] = [
        Check(name: "install twice is harmless and stores the schema") { backend in
            try await TestStores.withStore(backend) { store in
                try await store.install(upgradingSchema: false)
                let stored = try await store.storedSchema()
                try require(stored?.name == Fixtures.retailSchema.name, "stored schema name is \(String(describing: stored?.name))")
                let decoded = try DistributionSchema.decodeJSON(Data((stored?.text ?? "").utf8))
                try require(decoded == Fixtures.retailSchema, "stored schema text does not decode to the schema")
            }
        },
        Check(name: "another schema name is refused unless upgrading, which adds the new columns") { backend in
            let place = try TestStores.place(backend)
            let prefix = TestStores.randomPrefix()
            let first = try await TestStores.open(place, prefix: prefix)
            var upgraded = Fixtures.retailSchema
            upgraded.name = "retail-v2"
            upgraded.classes[0].fields.append(FieldDefinition(name: "phone", type: .text, nullable: true))
            let configuration = StoreConfiguration(location: place.location, schema: upgraded, prefix: prefix, siteName: "center")
            let second = try await SiteStores.open(configuration, logger: .init(label: "test"))
            do {
                try await EntitiesSubsystem(store: first).write([Samples.customerCreate(id: Fixtures.id(2))])
                try await requireStoreError(.schemaMismatch, "install with another schema name") {
                    try await second.install(upgradingSchema: false)
                }
                try await second.install(upgradingSchema: true)
                try require(try await second.storedSchema()?.name == "retail-v2", "upgrade did not store the new name")
                try await EntitiesSubsystem(store: second).write([Samples.customerCreate(id: Fixtures.id(1), extra: ["phone": .text("555")])])
                let stored = try await second.entities([EntityKey("Customer", Fixtures.id(1)), EntityKey("Customer", Fixtures.id(2))])
                let byId = Dictionary(uniqueKeysWithValues: stored.map { ($0.techId, $0) })
                try require(byId[Fixtures.id(1)]?.fields["phone"]?.value == .text("555"), "the new column did not keep its value")
                try require(byId[Fixtures.id(2)] != nil && byId[Fixtures.id(2)]?.fields["phone"] == nil, "an old row should read back without the new field")
            } catch {
                await second.close()
                await TestStores.remove(first, place)
                throw error
            }
            await second.close()
            await TestStores.remove(first, place)
        },
    ]

    static let logChecks: [Check] = [
        Check(name: "log holds one record per write transaction, in order, stamped with site and sequence") { backend in
            try await TestStores.withStore(backend, siteName: "branch7") { store in
                let entities = EntitiesSubsystem(store: store)
                var sequences: [Int64] = []
                for n in 1...5 {
                    let receipt = try await entities.write([Samples.customerCreate(id: Fixtures.id(n))])
                    sequences.append(try receipt.sequence ?? { throw ConformanceFailure(description: "a create appended no log record") }())
                }
                try require(sequences == [1, 2, 3, 4, 5], "sequences were \(sequences)")
                try require(try await store.lastSequence() == 5, "lastSequence is not 5")
                let records = try await store.readLog(after: 0, limit: 100)
                try require(records.map(\.sequence) == sequences, "readLog returned \(records.map(\.sequence))")
                for record in records {
                    let buffer = try DeltaBufferCodec.decode(record.buffer, schema: store.schema)
                    try require(buffer.sequence == record.sequence && buffer.originSite == "branch7", "buffer header \(buffer.sequence)/\(buffer.originSite)")
                }
                let tail = try await store.readLog(after: 3, limit: 1)
                try require(tail.map(\.sequence) == [4], "readLog(after: 3, limit: 1) returned \(tail.map(\.sequence))")
            }
        },
        Check(name: "concurrent writers: a log reader sees every transaction once, in one order") { backend in
            try await TestStores.withStore(backend) { store in
                let entities = EntitiesSubsystem(store: store)
                let writers = 8, perWriter = 10
                let committed = try await withThrowingTaskGroup(of: [Int64].self) { group in
                    for writer in 0..<writers {
                        group.addTask {
                            var mine: [Int64] = []
                            for n in 0..<perWriter {
                                let receipt = try await entities.write([Samples.customerCreate(id: Fixtures.id(writer * 1000 + n))])
                                if let sequence = receipt.sequence { mine.append(sequence) }
                            }
                            return mine
                        }
                    }
                    return try await group.reduce(into: []) { $0 += $1 }
                }
                var seen: [Int64] = []
                while true {
                    let batch = try await store.readLog(after: seen.last ?? 0, limit: 7)
                    if batch.isEmpty { break }
                    seen += batch.map(\.sequence)
                }
                try require(seen == Array(1...Int64(writers * perWriter)), "reader saw \(seen.count) records, not 1...\(writers * perWriter) in order")
                try require(Set(committed) == Set(seen) && committed.count == seen.count, "committed sequences differ from the log")
            }
        },
    ]
}
