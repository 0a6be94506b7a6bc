import ArborCore
import ArborTesting
import Foundation
import Testing

/// One change of an entity that must change its digest.
struct DigestChange: Sendable, CustomTestStringConvertible {
    var name: String
    var apply: @Sendable (inout EntityState) -> Void

    var testDescription: String { name }
}

private let entityId = Fixtures.id(1), lineId = Fixtures.id(2), taxId = Fixtures.id(3)
private let t1 = Fixtures.time(1_000), t2 = Fixtures.time(2_000)

/// An Order with two fields of each kind of value and a line with a tax.
private func sampleOrder() -> EntityState {
    EntityState(
        entityClass: "Order", techId: entityId, inCache: true, topics: Fixtures.topics("A", "B"), topicsTime: t1,
        fields: [
            "deleted": TimedValue(.bool(false), at: t1), "customerId": TimedValue(.uuid(Fixtures.id(9)), at: t1),
            "number": TimedValue(.bigint(42), at: t1), "status": TimedValue(.text("new"), at: t2),
            "priority": TimedValue(.int(3), at: t1), "placedAt": TimedValue(.timestamp(-1), at: t1),
            "attachment": TimedValue(.bytes(Data([1, 2])), at: t1), "extra": TimedValue(.json("{}"), at: t1),
            "score": TimedValue(.double(0.0), at: t1), "note": TimedValue(.null, at: t1),
        ],
        subEntities: [
            lineId: SubEntityState(collection: "lines", techId: lineId, parentId: entityId, fields: [
                "sku": TimedValue(.text("X"), at: t1), "quantity": TimedValue(.int(1), at: t1),
            ]),
            taxId: SubEntityState(collection: "lines.taxes", techId: taxId, parentId: lineId, fields: [:], isDeleted: true, deletedTime: t2),
        ]
    )
}

private let changes: [DigestChange] = [
    DigestChange(name: "class") { $0.entityClass = "Customer" },
    DigestChange(name: "techId") { $0.techId = Fixtures.id(77) },
    DigestChange(name: "inCache") { $0.inCache = false },
    DigestChange(name: "topics") { $0.topics = Fixtures.topics("A") },
    DigestChange(name: "topics order") { $0.topics = Fixtures.topics("B", "A") },
    DigestChange(name: "topicsTime") { $0.topicsTime = t2 },
    DigestChange(name: "text value") { $0.fields["status"]?.value = .text("new ") },
    DigestChange(name: "field time") { $0.fields["status"]?.time = Fixtures.time(2_001) },
    DigestChange(name: "deleted flag") { $0.fields["deleted"]?.value = .bool(true) },
    DigestChange(name: "int value") { $0.fields["priority"]?.value = .int(4) },
    DigestChange(name: "int vs bigint of the same number") { $0.fields["priority"]?.value = .bigint(3) },
    DigestChange(name: "bigint value") { $0.fields["number"]?.value = .bigint(43) },
    DigestChange(name: "uuid value") { $0.fields["customerId"]?.value = .uuid(Fixtures.id(10)) },
    DigestChange(name: "timestamp value") { $0.fields["placedAt"]?.value = .timestamp(0) },
    DigestChange(name: "bytes value") { $0.fields["attachment"]?.value = .bytes(Data([1, 2, 0])) },
    DigestChange(name: "json vs text") { $0.fields["extra"]?.value = .text("{}") },
    DigestChange(name: "double value") { $0.fields["score"]?.value = .double(.leastNonzeroMagnitude) },
    DigestChange(name: "null to value") { $0.fields["note"]?.value = .text("") },
    DigestChange(name: "field removed") { $0.fields["note"] = nil },
    DigestChange(name: "field renamed") { $0.fields["note2"] = $0.fields.removeValue(forKey: "note") },
    DigestChange(name: "sub-entity field value") { $0.subEntities[lineId]?.fields["sku"]?.value = .text("Y") },
    DigestChange(name: "sub-entity field time") { $0.subEntities[lineId]?.fields["sku"]?.time = t2 },
    DigestChange(name: "sub-entity collection") { $0.subEntities[lineId]?.collection = "lines2" },
    DigestChange(name: "sub-entity parent") { $0.subEntities[taxId]?.parentId = entityId },
    DigestChange(name: "sub-entity deleted") { $0.subEntities[lineId]?.isDeleted = true },
    DigestChange(name: "sub-entity deleted time") { $0.subEntities[taxId]?.deletedTime = t1 },
    DigestChange(name: "sub-entity removed") { $0.subEntities[lineId] = nil },
    DigestChange(name: "sub-entity added") {
        $0.subEntities[Fixtures.id(4)] = SubEntityState(collection: "lines", techId: Fixtures.id(4), parentId: entityId, fields: [:])
    },
    // Moving bytes from one field's value into its name must not give the same encoding.
    DigestChange(name: "bytes moved between name and value") {
        $0.fields["statusn"] = TimedValue(.text("ew"), at: t2)
        $0.fields["status"] = nil
    },
]

@Suite struct EntityDigestTests {
    @Test func equalStatesGiveEqualDigests() {
        #expect(sampleOrder().digest() == sampleOrder().digest())
        #expect(sampleOrder().digest().count == 32)
        #expect(sampleOrder().digest().allSatisfy { $0.isHexDigit && !$0.isUppercase })
    }

    @Test(arguments: changes)
    func everyKindOfChangeChangesTheDigest(_ change: DigestChange) {
        var changed = sampleOrder()
        change.apply(&changed)
        #expect(changed != sampleOrder(), "the change must change the state")
        #expect(changed.digest() != sampleOrder().digest())
    }

    /// `-0.0 == 0.0` for `Double`, but the stores keep the bit pattern, so the digest does too.
    @Test func doublesCompareByBitPattern() {
        var negativeZero = sampleOrder()
        negativeZero.fields["score"]?.value = .double(-0.0)
        #expect(negativeZero.digest() != sampleOrder().digest())
        var quietNaN = sampleOrder(), payloadNaN = sampleOrder()
        quietNaN.fields["score"]?.value = .double(.nan)
        payloadNaN.fields["score"]?.value = .double(Double(nan: 7, signaling: false))
        #expect(quietNaN.digest() == quietNaN.digest())
        #expect(quietNaN.digest() != payloadNaN.digest())
    }

    @Test func changesGiveDistinctDigests() {
        var digests = Set([sampleOrder().digest()])
        for change in changes {
            var changed = sampleOrder()
            change.apply(&changed)
            digests.insert(changed.digest())
        }
        #expect(digests.count == changes.count + 1)
    }

    @Test func insertionOrderOfFieldsAndSubEntitiesIsIrrelevant() {
        let original = sampleOrder()
        var rebuilt = original
        rebuilt.fields = [:]
        for name in original.fields.keys.sorted().reversed() { rebuilt.fields[name] = original.fields[name] }
        rebuilt.subEntities = [:]
        for id in original.subEntities.keys.sorted(by: { $0.uuidString > $1.uuidString }) { rebuilt.subEntities[id] = original.subEntities[id] }
        var reserved = EntityState(
            entityClass: original.entityClass, techId: original.techId, inCache: original.inCache, topics: original.topics,
            topicsTime: original.topicsTime, fields: Dictionary(minimumCapacity: 64), subEntities: Dictionary(minimumCapacity: 64)
        )
        for (name, value) in original.fields.shuffled() { reserved.fields[name] = value }
        for (id, sub) in original.subEntities.shuffled() { reserved.subEntities[id] = sub }
        #expect(rebuilt.digest() == original.digest())
        #expect(reserved.digest() == original.digest())
    }

    /// Pins the encoding: a change of it must change the format tag, or two builds would
    /// disagree about equal data.
    @Test func digestOfAFixedStateIsStable() {
        let state = EntityState(
            entityClass: "Customer", techId: Fixtures.id(1), topics: Fixtures.topics("A"), topicsTime: t1,
            fields: ["name": TimedValue(.text("Ada"), at: t1)]
        )
        #expect(state.digest() == EntityDigestTests.pinned)
    }

    static let pinned = "241fc052aab15c3958abec03223d221f"
}
