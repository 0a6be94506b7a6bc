import ArborCore
import ArborStore
import Foundation

/// Application writes on the example schema, for store and server tests.
public enum Samples {
    /// A Customer create with topics `A` unless told otherwise.
    public static func customerCreate(
        id: UUID, name: String = "Ada", topics: TopicsList = Fixtures.topics("A"), inCache: Bool = true,
        extra: [String: FieldValue] = [:]
    ) -> EntityWrite {
        var fields: [String: FieldValue] = ["name": .text(name), "vip": .bool(false)]
        fields.merge(extra) { $1 }
        return EntityWrite(.create(inCache: inCache), entityClass: "Customer", techId: id, topics: topics, fields: fields)
    }

    /// An Order create using every field type, with one line holding one tax.
    public static func orderCreate(id: UUID, lineId: UUID, taxId: UUID, topics: TopicsList = Fixtures.topics("A")) -> EntityWrite {
        EntityWrite(
            .create(inCache: true), entityClass: "Order", techId: id, topics: topics,
            fields: [
                "customerId": .uuid(Fixtures.id(9_999)), "number": .bigint(.max), "status": .text("ñew ✓"),
                "priority": .int(.min), "placedAt": .timestamp(-1), "attachment": .bytes(Data()), "extra": .json("{\"a\": [1, 2]}"),
            ],
            subEntities: [
                SubEntityWrite(.create, collection: "lines", techId: lineId, parentId: id,
                               fields: ["sku": .text(""), "quantity": .int(.max), "price": .double(-0.0)]),
                SubEntityWrite(.create, collection: "lines.taxes", techId: taxId, parentId: lineId,
                               fields: ["code": .text("VAT"), "rate": .double(.infinity)]),
            ]
        )
    }

    /// A buffer of `deltas` as another site would send it.
    public static func buffer(_ deltas: [Delta], sequence: Int64, schemaName: String = Fixtures.retailSchema.name, origin: String = "peer") -> DeltaBuffer {
        DeltaBuffer(schemaName: schemaName, originSite: origin, sequence: sequence, deltas: deltas)
    }

    /// Decodes every log record after `sequence` and returns their deltas, buffer by buffer.
    public static func loggedDeltas(_ records: [LogRecord], schema: DistributionSchema) throws -> [[Delta]] {
        try records.map { try DeltaBufferCodec.decode($0.buffer, schema: schema).deltas }
    }
}
