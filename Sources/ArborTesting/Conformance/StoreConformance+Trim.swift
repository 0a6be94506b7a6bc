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
        Check(name: "trimming an empty log does nothing") { backend in
            try await TestStores.withStore(backend) { store in
                try require(try await store.trimLog(through: 10) == 0, "deleted from an empty log")
                try require(try await store.firstSequence() == nil, "an empty log has a first sequence")
            }
        },
    ]
}
