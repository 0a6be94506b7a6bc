import ArborCore
import ArborStore
import Foundation

extension StoreConformance {
    static let trimChecks: [Check] = [
        Check(name: "trimming the log deletes old records, keeps the newest, and numbering goes on") { backend in
            try await TestStores.withStore(backend) { store in
                let entities = EntitiesSubsystem(store: store)
                for n in 1...12 { try await entities.write([Samples.customerCreate(id: Fixtures.id(n))]) }
                try require(try await store.firstSequence() == 1, "first sequence before trimming")
                try require(try await store.trimLog(through: 5) == 5, "trimming through 5 did not delete 5 records")
                try require(try await store.firstSequence() == 6, "first sequence after trimming")
                try require(try await store.readLog(after: 0, limit: 100).map(\.sequence) == Array(6...12), "records left")
                try require(try await store.trimLog(through: 5) == 0, "trimming again deleted something")
                // Asking for everything still keeps the newest record: it carries the numbering on.
                try require(try await store.trimLog(through: 1_000) == 6, "trimming past the end")
                try require(try await store.readLog(after: 0, limit: 100).map(\.sequence) == [12], "the newest record was not kept")
                try await entities.write([Samples.customerCreate(id: Fixtures.id(13))])
                try require(try await store.lastSequence() == 13, "numbering restarted after trimming")
                try require(try await store.entities([EntityKey("Customer", Fixtures.id(1))]).count == 1, "trimming the log touched entities")
            }
        },
        Check(name: "a received buffer commits only from the position it was read at") { backend in
            try await TestStores.withStore(backend) { store in
                let entities = EntitiesSubsystem(store: store)
                func received(_ n: Int, sequence: Int64) throws -> DeltaBuffer {
                    let delta = try LocalWrite.delta(
                        for: Samples.customerCreate(id: Fixtures.id(n)), existing: nil,
                        at: HybridTimestamp(microseconds: EntitiesSubsystem.systemMicroseconds()), schema: store.schema
                    )
                    return Samples.buffer([delta], sequence: sequence, schemaName: store.schema.name, origin: "son")
                }
                try await entities.apply(try received(1, sequence: 1), from: .son(clientId: "son"), recording: ("son.applied", 1), replacing: 0)
                let before = try await store.lastSequence()
                // A second process read position 0 too: its commit must not happen.
                try await requireStoreError(.conflict, "apply from a moved position") {
                    try await entities.apply(try received(2, sequence: 2), from: .son(clientId: "son"), recording: ("son.applied", 2), replacing: 0)
                }
                try require(try await store.entities([EntityKey("Customer", Fixtures.id(2))]).isEmpty, "a refused apply wrote its entity")
                try require(try await store.lastSequence() == before, "a refused apply appended to the log")
                try require(try await store.siteCounter("son.applied") == 1, "a refused apply moved the position")
                try await entities.apply(try received(2, sequence: 2), from: .son(clientId: "son"), recording: ("son.applied", 2), replacing: 1)
                try await requireStoreError(.conflict, "advance from a moved position") { try await entities.advancePosition("son.applied", to: 9, replacing: 1) }
                try await entities.advancePosition("son.applied", to: 9, replacing: 2)
                try require(try await store.siteCounter("son.applied") == 9, "the position did not advance")
            }
        },
        Check(name: "trimming an empty log does nothing") { backend in
            try await TestStores.withStore(backend) { store in
                try require(try await store.trimLog(through: 10) == 0, "deleted from an empty log")
                try require(try await store.firstSequence() == nil, "an empty log has a first sequence")
            }
        },
    ]
}
