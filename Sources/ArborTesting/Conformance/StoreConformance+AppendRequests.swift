import ArborCore
import ArborStore
import Foundation

/// Append request ids (issue 10 item 13): recorded with the write they answer, in its
/// transaction; a duplicate rolls the whole write back; old ones are removed.
extension StoreConformance {
    static let appendRequestChecks: [Check] = [
        Check(name: "append requests: recorded with their write, a duplicate applies nothing, old ones removed") { backend in
            try await TestStores.withStore(backend) { store in
                let entities = EntitiesSubsystem(store: store, wallClock: { 5_000_000 })
                try require(try await store.appendRequest(clientId: "app", requestId: "r1") == nil, "a new store has append requests")
                let first = try await entities.write([Samples.customerCreate(id: Fixtures.id(1))], request: ("app", "r1"))
                let recorded = try await store.appendRequest(clientId: "app", requestId: "r1")
                try require(
                    recorded?.sequence == first.sequence && recorded?.outcomes == ["created"] && recorded?.recordedMicroseconds == 5_000_000,
                    "recorded \(String(describing: recorded)) for sequence \(String(describing: first.sequence))"
                )
                try require(try await store.appendRequest(clientId: "other", requestId: "r1") == nil, "ids are per client")
                let last = try await store.lastSequence()
                try await requireStoreError(.alreadyApplied, "the same request again") {
                    try await entities.write([Samples.customerCreate(id: Fixtures.id(2))], request: ("app", "r1"))
                }
                try require(try await store.lastSequence() == last, "a duplicate request appended to the log")
                try require(try await store.entities([EntityKey("Customer", Fixtures.id(2))]).isEmpty, "a duplicate request stored its entity")
                // The same id of another client is another request.
                _ = try await entities.write([Samples.customerCreate(id: Fixtures.id(3))], request: ("other", "r1"))
                // Each request is recorded with its own write's sequence.
                let purge = try await entities.write([EntityWrite(.update, entityClass: "Customer", techId: Fixtures.id(1), fields: ["name": .text("Bob")])], request: ("app", "r2"))
                let second = try await store.appendRequest(clientId: "app", requestId: "r2")
                try require(second?.sequence == purge.sequence && second?.outcomes.count == 1, "recorded \(String(describing: second))")
                try require(try await store.removeAppendRequests(recordedBefore: 5_000_000) == 0, "removed records not older than the cutoff")
                try require(try await store.removeAppendRequests(recordedBefore: 10_000_000) == 3, "old records were not all removed")
                try require(try await store.appendRequest(clientId: "app", requestId: "r1") == nil, "a removed record is still read")
            }
        },
    ]
}
