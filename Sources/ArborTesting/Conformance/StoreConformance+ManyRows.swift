import ArborCore
import ArborStore
import Foundation

extension StoreConformance {
    /// Transactions larger than one statement's worth of rows (the SQLite store batches rows
    /// per statement, PostgreSQL per table): nothing is lost or mixed up at the slice borders.
    static let manyRowChecks: [Check] = [
        Check(name: "hundreds of entities with sub-entities written, rewritten and read in one transaction each") { backend in
            try await TestStores.withStore(backend) { store in
                let entities = EntitiesSubsystem(store: store)
                let count = 700
                let ids = (0..<count).map { Fixtures.id(10_000 + $0) }
                let lines = (0..<count).map { Fixtures.id(20_000 + $0) }, taxes = (0..<count).map { Fixtures.id(30_000 + $0) }
                try await entities.write((0..<count).map { Samples.orderCreate(id: ids[$0], lineId: lines[$0], taxId: taxes[$0]) })
                let keys = Set(ids.map { EntityKey("Order", $0) })
                let created = try await store.entities(keys)
                try require(created.count == count, "read \(created.count) of \(count) orders")
                for state in created {
                    try require(state.subEntities.count == 2 && state.fields["status"]?.value == .text("ñew ✓"), "order \(state.techId) came back as \(state)")
                }
                // Every other order loses its tax and changes a field; the rest stay as they were.
                let changed = stride(from: 0, to: count, by: 2)
                try await entities.write(changed.map { index in
                    EntityWrite(.update, entityClass: "Order", techId: ids[index], fields: ["priority": .int(Int32(index))], subEntities: [
                        SubEntityWrite(.delete, collection: "lines.taxes", techId: taxes[index], parentId: lines[index]),
                    ])
                })
                let byId = Dictionary(uniqueKeysWithValues: try await store.entities(keys).map { ($0.techId, $0) })
                try require(byId.count == count, "read \(byId.count) of \(count) orders after the rewrite")
                for index in 0..<count {
                    let state = byId[ids[index]]
                    let taxGone = state?.subEntities[taxes[index]]?.isDeleted == true
                    if index % 2 == 0 {
                        try require(state?.fields["priority"]?.value == .int(Int32(index)) && taxGone, "order \(index) lacks its rewrite")
                    } else {
                        try require(state?.fields["priority"]?.value == .int(.min) && !taxGone, "order \(index) was changed by another's rewrite")
                    }
                    try require(state?.subEntities[lines[index]]?.parentId == ids[index], "order \(index) lost its line")
                }
            }
        },
        Check(name: "registrations of hundreds of entities are set, kept per bit, read and cleared") { backend in
            try await TestStores.withStore(backend) { store in
                let ids = (0..<900).map { Fixtures.id(40_000 + $0) }
                let first = ClientBit(3)!, second = ClientBit(60)!
                try await store.setRegistrations(Dictionary(uniqueKeysWithValues: ids.map { ($0, .synchronized) }), for: first)
                try await store.setRegistrations(Dictionary(uniqueKeysWithValues: ids.prefix(400).map { ($0, .unsynchronized) }), for: second)
                let masks = try await store.registrations(Set(ids))
                try require(masks.count == ids.count, "read \(masks.count) of \(ids.count) registrations")
                for (index, id) in ids.enumerated() {
                    try require(masks[id]?.state(of: first) == .synchronized, "entity \(index) lost bit 3")
                    try require(masks[id]?.state(of: second) == (index < 400 ? .unsynchronized : .unregistered), "entity \(index) has bit 60 wrong")
                }
                // Through a fetch acknowledgement, the other writer of registrations.
                let record = FetchAcknowledgementRecord(clientId: "many", bit: first, acknowledgedSequence: 1)
                let cleared = Dictionary(uniqueKeysWithValues: ids.map { ($0, RegistrationState.unregistered) })
                try require(try await store.replaceFetchAcknowledgement(record, expectedGeneration: nil, committing: cleared) == 1, "acknowledgement not stored")
                let left = try await store.registrations(Set(ids))
                try require(left.count == 400, "\(left.count) rows left; the 500 emptied ones must be deleted, the 400 with bit 60 kept")
                try require(ids.prefix(400).allSatisfy { left[$0]?.state(of: second) == .unsynchronized && left[$0]?.state(of: first) == .unregistered },
                            "clearing bit 3 changed bit 60")
            }
        },
    ]
}
