import ArborCore
import ArborStore
import Foundation

extension StoreConformance {
    static let entityChecks: [Check] = [
        Check(name: "local create, update, delete and purge append the §2.6.1 deltas") { backend in
            try await TestStores.withStore(backend) { store in
                let entities = EntitiesSubsystem(store: store)
                let id = Fixtures.id(1), key = EntityKey("Customer", id)
                try await entities.write([Samples.customerCreate(id: id)])
                try await entities.write([EntityWrite(.update, entityClass: "Customer", techId: id, topics: Fixtures.topics("B"), fields: ["name": .text("Bea")])])
                try await entities.write([EntityWrite(.delete, entityClass: "Customer", techId: id)])
                let beforePurge = try await store.entities([key])
                try require(beforePurge.first?.isDeleted == true && beforePurge.first?.fields["name"]?.value == .text("Bea"), "logical delete did not keep the entity flagged")
                try await entities.write([EntityWrite(.purge, entityClass: "Customer", techId: id)])
                try require(try await store.entities([key]).isEmpty, "purge left the entity")
                let logged = try Samples.loggedDeltas(try await store.readLog(after: 0, limit: 10), schema: store.schema)
                let shape = logged.map { $0.map { "\($0.operation) \($0.topics)" } }
                try require(shape == [
                    ["CREATE ,#arbor.father,A,"],
                    ["PARTIAL ,#arbor.father,B,", "FULL ,B,"],
                    ["PARTIAL ,#arbor.father,B,", "FULL ,B,"],
                    ["DELETE ,B,"],
                ], "logged \(shape)")
                try require(logged[1][0].oldTopics == Fixtures.topics("A") && Set(logged[1][0].fields.keys) == ["name"], "PARTIAL content wrong")
                try require(logged[1][1].fields.count == 5, "FULL should carry deleted + 4 fields, carried \(logged[1][1].fields.keys.sorted())")
            }
        },
        Check(name: "every field type and nested sub-entities round-trip; deleted sub-entities stay tombstones") { backend in
            try await TestStores.withStore(backend) { store in
                let entities = EntitiesSubsystem(store: store)
                let id = Fixtures.id(1), line = Fixtures.id(2), tax = Fixtures.id(3)
                try await entities.write([Samples.orderCreate(id: id, lineId: line, taxId: tax)])
                let created = try await store.entities([EntityKey("Order", id)])
                let expected = try LocalWrite.delta(for: Samples.orderCreate(id: id, lineId: line, taxId: tax), existing: nil,
                                                    at: created.first?.updateTime ?? .zero, schema: store.schema)
                try require(created.first == EntityState(creating: expected), "stored order differs from what was written")
                try await entities.write([EntityWrite(.update, entityClass: "Order", techId: id, fields: ["priority": .null], subEntities: [
                    SubEntityWrite(.delete, collection: "lines.taxes", techId: tax, parentId: line),
                ])])
                let updated = try await store.entities([EntityKey("Order", id)]).first
                try require(updated?.fields["priority"]?.value == .null, "null did not replace a value")
                try require(updated?.subEntities[tax]?.isDeleted == true && updated?.subEntities[tax]?.fields.isEmpty == true, "tax is not a tombstone")
                try require(updated?.subEntities[line]?.fields["price"]?.value == .double(-0.0), "line changed")
            }
        },
        Check(name: "a son's create registers it and carries the negation topic; its stale update is rejected with REGISTER+FULL") { backend in
            try await TestStores.withStore(backend) { store in
                let entities = EntitiesSubsystem(store: store)
                let son = try LocalWrite.delta(for: Samples.customerCreate(id: Fixtures.id(5)), existing: nil, at: Fixtures.time(1_000), schema: store.schema)
                let created = try await entities.apply(Samples.buffer([son], sequence: 40), from: .son(clientId: "b1"), recording: ("link.b1", 40))
                try require(created.result.outcomes == [.created], "outcome \(created.result.outcomes)")
                try require(try await store.siteCounter("link.b1") == 40, "position not recorded with the data")
                var stale = son
                stale.operation = .partial
                stale.oldTopics = son.topics
                stale.topicsTime = nil
                stale.fields = ["name": TimedValue(.text("old"), at: Fixtures.time(500))]
                try await entities.write([EntityWrite(.update, entityClass: "Customer", techId: Fixtures.id(5), fields: ["name": .text("new")])])
                let rejected = try await entities.apply(Samples.buffer([stale], sequence: 41), from: .son(clientId: "b1"))
                try require(rejected.result.outcomes == [.rejected], "outcome \(rejected.result.outcomes)")
                let logged = try Samples.loggedDeltas(try await store.readLog(after: 0, limit: 10), schema: store.schema)
                let shape = logged.map { $0.map { "\($0.operation) \($0.topics) \($0.registration.map { "\($0)" } ?? "-")" } }
                try require(shape == [
                    ["REGISTER ,#arbor.son.b1, synchronize", "CREATE ,#arbor.father,#arbor.notson.b1,A, -"],
                    ["PARTIAL ,#arbor.father,A, -", "FULL ,A, -"],
                    ["REGISTER ,#arbor.son.b1, desynchronize", "FULL ,A, -"],
                ], "logged \(shape)")
                try require(try await store.entities([EntityKey("Customer", Fixtures.id(5))]).first?.fields["name"]?.value == .text("new"), "stale value won")
            }
        },
        Check(name: "a rejected father update appends nothing; a PARTIAL for a missing entity is reported") { backend in
            try await TestStores.withStore(backend) { store in
                let entities = EntitiesSubsystem(store: store)
                try await entities.write([Samples.customerCreate(id: Fixtures.id(1))])
                let stale = Delta(operation: .partial, entityClass: "Customer", techId: Fixtures.id(1), updateTime: Fixtures.time(1),
                                  topics: Fixtures.topics("A"), oldTopics: Fixtures.topics("A"), fields: ["name": TimedValue(.text("x"), at: Fixtures.time(1))])
                var missing = stale
                missing.techId = Fixtures.id(2)
                let report = try await entities.apply(Samples.buffer([stale, missing], sequence: 9), from: .father, recording: ("father", 9))
                try require(report.result.outcomes == [.rejected, .missingEntity], "outcomes \(report.result.outcomes)")
                try require(report.result.missing == [EntityKey("Customer", Fixtures.id(2))], "missing \(report.result.missing)")
                let last = try await store.lastSequence()
                try require(report.sequence == nil && last == 1, "a rejected update appended to the log")
                try require(try await store.siteCounter("father") == 9, "position not recorded")
            }
        },
        Check(name: "a snapshot holds whole in-cache entities and headers of the others, at its sequence") { backend in
            try await TestStores.withStore(backend) { store in
                let entities = EntitiesSubsystem(store: store)
                try await entities.write([Samples.customerCreate(id: Fixtures.id(1))])
                try await entities.write([Samples.customerCreate(id: Fixtures.id(2), topics: Fixtures.topics("B", "C"), inCache: false)])
                let snapshot = try await store.snapshot()
                try require(snapshot.sequence == 2, "snapshot sequence \(snapshot.sequence)")
                try require(snapshot.entities.map(\.techId) == [Fixtures.id(1)], "whole entities \(snapshot.entities.map(\.techId))")
                try require(snapshot.headers.map(\.key) == [EntityKey("Customer", Fixtures.id(2))], "headers \(snapshot.headers.map(\.key))")
                try require(snapshot.headers.first?.topics == Fixtures.topics("B", "C") && snapshot.headers.first?.isDeleted == false, "header content")
            }
        },
    ]
}
