import ArborCore
import ArborStore
import Foundation

extension StoreConformance {
    static let fetchAcknowledgementChecks: [Check] = [
        Check(name: "fetch acknowledgements: stored, read back, replaced only from the expected generation, reset") { backend in
            try await TestStores.withStore(backend) { store in
                let bit = ClientBit(5)!, other = ClientBit(6)!
                let (first, second) = (Fixtures.id(1), Fixtures.id(2))
                try require(try await store.fetchAcknowledgement(clientId: "e1") == nil, "a new store holds a fetch acknowledgement")
                let pending = FetchRoutingStateMachine.PendingBatch(lastSequence: 9, states: [first: .synchronized, second: .unregistered])
                var record = FetchAcknowledgementRecord(clientId: "e1", bit: bit, acknowledgedSequence: 4, pending: pending)
                try require(try await store.replaceFetchAcknowledgement(record, expectedGeneration: nil, committing: [:]) == 1, "first store")
                try require(
                    try await store.replaceFetchAcknowledgement(record, expectedGeneration: nil, committing: [first: .synchronized]) == nil,
                    "a second insert succeeded")
                record.generation = 1
                let readBack = try await store.fetchAcknowledgement(clientId: "e1")
                try require(readBack == record, "read back: \(String(describing: readBack))")
                try require(try await store.registrations([first]).isEmpty, "a refused change wrote registrations")

                // The acknowledgement commits the batch's states for the bit only, with the row.
                try await store.setRegistrations([first: .synchronized, second: .synchronized], for: other)
                try await store.setRegistrations([second: .synchronized], for: bit)
                let acknowledged = FetchAcknowledgementRecord(clientId: "e1", bit: bit, acknowledgedSequence: 9)
                try require(
                    try await store.replaceFetchAcknowledgement(acknowledged, expectedGeneration: 1, committing: pending.states) == 2,
                    "replace from generation 1")
                let masks = try await store.registrations([first, second])
                try require(masks[first]?.state(of: bit) == .synchronized && masks[first]?.state(of: other) == .synchronized, "first: \(String(describing: masks[first]))")
                try require(masks[second]?.state(of: bit) == .unregistered && masks[second]?.state(of: other) == .synchronized, "second: \(String(describing: masks[second]))")
                try require(
                    try await store.replaceFetchAcknowledgement(record, expectedGeneration: 1, committing: [second: .synchronized]) == nil,
                    "a stale generation replaced the row")
                try require(try await store.fetchAcknowledgement(clientId: "e1")?.pending == nil, "the stale change was stored")
                try require(try await store.registrations([second])[second]?.state(of: bit) == .unregistered, "the stale change committed states")

                try await store.resetFetchAcknowledgement(clientId: "e1")
                try await store.resetFetchAcknowledgement(clientId: "nobody")
                let reset = try await store.fetchAcknowledgement(clientId: "e1")
                try require(
                    reset == FetchAcknowledgementRecord(clientId: "e1", bit: bit, acknowledgedSequence: nil, generation: 3),
                    "after reset: \(String(describing: reset))")
                try require(try await store.fetchAcknowledgement(clientId: "nobody") == nil, "resetting an unknown client stored a row")
                try require(try await store.replaceFetchAcknowledgement(acknowledged, expectedGeneration: 2, committing: [:]) == nil, "reset did not bump the generation")
            }
        },
        Check(name: "fetch acknowledgements: of concurrent changes from one generation exactly one wins") { backend in
            try await TestStores.withStore(backend) { store in
                let bit = ClientBit(1)!
                let start = FetchAcknowledgementRecord(clientId: "e1", bit: bit, acknowledgedSequence: 0)
                try require(try await store.replaceFetchAcknowledgement(start, expectedGeneration: nil, committing: [:]) == 1, "first store")
                let winners = try await withThrowingTaskGroup(of: Int64?.self) { group in
                    for n in 1...8 {
                        group.addTask {
                            let record = FetchAcknowledgementRecord(clientId: "e1", bit: bit, acknowledgedSequence: Int64(n))
                            return try await store.replaceFetchAcknowledgement(record, expectedGeneration: 1, committing: [Fixtures.id(n): .synchronized])
                        }
                    }
                    var won = 0
                    for try await generation in group where generation != nil { won += 1 }
                    return won
                }
                try require(winners == 1, "\(winners) of 8 concurrent changes from generation 1 won")
                let stored = try await store.fetchAcknowledgement(clientId: "e1")
                guard let winner = stored?.acknowledgedSequence else { throw ConformanceFailure(description: "no winner was stored") }
                let registered = try await store.registrations(Set((1...8).map { Fixtures.id($0) }))
                try require(registered.keys.sorted { $0.uuidString < $1.uuidString } == [Fixtures.id(Int(winner))], "committed states: \(registered)")
            }
        },
    ]
}
