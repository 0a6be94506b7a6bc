import ArborCore
import ArborStore
import Foundation

extension StoreConformance {
    /// Writes that must be refused before anything is stored, with the expected error code.
    static let refusedWrites: [(String, StoreError.Code, EntityWrite)] = [
        ("unknown class", .invalidInput, EntityWrite(.create(inCache: true), entityClass: "Invoice", techId: Fixtures.id(1), topics: Fixtures.topics("A"))),
        ("unknown field", .invalidInput, Samples.customerCreate(id: Fixtures.id(1), extra: ["colour": .text("red")])),
        ("wrong type", .invalidInput, Samples.customerCreate(id: Fixtures.id(1), extra: ["vip": .text("yes")])),
        ("null in a non-nullable field", .invalidInput, Samples.customerCreate(id: Fixtures.id(1), extra: ["name": .null])),
        ("missing required field", .invalidInput, EntityWrite(.create(inCache: true), entityClass: "Customer", techId: Fixtures.id(1), topics: Fixtures.topics("A"), fields: ["vip": .bool(true)])),
        ("site topic in application topics", .invalidInput, Samples.customerCreate(id: Fixtures.id(1), topics: Fixtures.topics("#arbor.father"))),
        ("slice name of a site topic", .invalidInput, Samples.customerCreate(id: Fixtures.id(1), topics: Fixtures.topics("arbor.son.x"))),
        ("create without topics", .invalidInput, EntityWrite(.create(inCache: true), entityClass: "Customer", techId: Fixtures.id(1), fields: ["name": .text("a"), "vip": .bool(true)])),
        ("update of a missing entity", .notFound, EntityWrite(.update, entityClass: "Customer", techId: Fixtures.id(404), fields: ["name": .text("a")])),
        ("purge of a missing entity", .notFound, EntityWrite(.purge, entityClass: "Customer", techId: Fixtures.id(404))),
        ("unknown collection", .invalidInput, EntityWrite(.create(inCache: true), entityClass: "Customer", techId: Fixtures.id(1), topics: Fixtures.topics("A"),
                                                           fields: ["name": .text("a"), "vip": .bool(true)],
                                                           subEntities: [SubEntityWrite(.create, collection: "lines", techId: Fixtures.id(2), parentId: Fixtures.id(1))])),
    ]

    static let inputChecks: [Check] = [
        Check(name: "bad writes are refused with a clear error and nothing is written") { backend in
            try await TestStores.withStore(backend) { store in
                let entities = EntitiesSubsystem(store: store)
                try await entities.write([Samples.customerCreate(id: Fixtures.id(7))])
                for (label, code, write) in refusedWrites {
                    try await requireStoreError(code, label) { try await entities.write([Samples.customerCreate(id: Fixtures.id(8)), write]) }
                }
                try await requireStoreError(.invalidInput, "creating an existing entity") {
                    try await entities.write([Samples.customerCreate(id: Fixtures.id(7))])
                }
                try require(try await store.lastSequence() == 1, "a refused write appended to the log")
                try require(try await store.entities([EntityKey("Customer", Fixtures.id(8))]).isEmpty, "a refused transaction stored part of its writes")
            }
        },
        Check(name: "buffers with another schema name or invalid deltas are refused before anything is written") { backend in
            try await TestStores.withStore(backend) { store in
                let entities = EntitiesSubsystem(store: store)
                let good = try LocalWrite.delta(for: Samples.customerCreate(id: Fixtures.id(1)), existing: nil, at: Fixtures.time(10), schema: store.schema)
                try await requireStoreError(.schemaMismatch, "another schema name") {
                    try await entities.apply(Samples.buffer([good], sequence: 1, schemaName: "retail-v0"), from: .father, recording: ("father", 1))
                }
                var bad = good
                bad.fields["shoeSize"] = TimedValue(.int(44), at: Fixtures.time(10))
                try await requireStoreError(.invalidInput, "unknown field in a received delta") {
                    try await entities.apply(Samples.buffer([good, bad], sequence: 1), from: .father, recording: ("father", 1))
                }
                try require(try await store.lastSequence() == 0, "a refused buffer appended to the log")
                try require(try await store.siteCounter("father") == nil, "a refused buffer recorded its position")
                try require(try await store.entities([EntityKey("Customer", Fixtures.id(1))]).isEmpty, "a refused buffer stored an entity")
            }
        },
    ]
}
