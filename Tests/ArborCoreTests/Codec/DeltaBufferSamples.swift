import ArborCore
import ArborTesting
import Foundation

/// Hand-built and random delta buffers over ``Fixtures/retailSchema`` for the codec tests.
enum DeltaBufferSamples {
    static let schema = Fixtures.retailSchema

    /// A buffer using every part of the format: both classes, old topics, topics time, nested sub-entities.
    static func rich(sequence: Int64 = 42) -> DeltaBuffer {
        let order = Fixtures.id(10)
        let line = Fixtures.id(11)
        return DeltaBuffer(schemaName: schema.name, originSite: "paris", sequence: sequence, deltas: [
            Delta(
                operation: .create, entityClass: "Customer", techId: Fixtures.id(1), updateTime: Fixtures.time(1_700_000_000_000_000),
                topics: Fixtures.topics("A1", "#N3"), topicsTime: Fixtures.time(1_700_000_000_000_000), inCache: false,
                fields: [
                    "deleted": TimedValue(.bool(false), at: Fixtures.time(1_700_000_000_000_000)),
                    "name": TimedValue(.text("Zoë 北京 🚀"), at: Fixtures.time(1_699_999_999_999_999)),
                    "email": TimedValue(.null, at: Fixtures.time(1_700_000_000_000_000)),
                    "vip": TimedValue(.bool(true), at: Fixtures.time(1_700_000_000_000_000)),
                ]
            ),
            Delta(
                operation: .partial, entityClass: "Order", techId: order, updateTime: Fixtures.time(1_700_000_000_000_500),
                topics: Fixtures.topics("A1"), oldTopics: Fixtures.topics("B2"),
                fields: [
                    "status": TimedValue(.text("paid"), at: Fixtures.time(1_700_000_000_000_500)),
                    "priority": TimedValue(.int(-3), at: Fixtures.time(1_700_000_000_000_400)),
                    "attachment": TimedValue(.bytes(Data([0, 1, 0xFF])), at: Fixtures.time(1)),
                ],
                subEntities: [
                    SubEntityDelta(operation: .create, collection: "lines", techId: line, parentId: order, fields: [
                        "sku": TimedValue(.text("SKU-1"), at: Fixtures.time(1_700_000_000_000_500)),
                        "quantity": TimedValue(.int(2), at: Fixtures.time(1_700_000_000_000_500)),
                        "price": TimedValue(.double(9.99), at: Fixtures.time(1_700_000_000_000_500)),
                    ]),
                    SubEntityDelta(operation: .update, collection: "lines.taxes", techId: Fixtures.id(12), parentId: line, fields: [
                        "rate": TimedValue(.double(0.2), at: Fixtures.time(1_700_000_000_000_500)),
                    ]),
                    SubEntityDelta(operation: .delete, collection: "lines", techId: Fixtures.id(13), parentId: order),
                ]
            ),
            Delta.register(
                entityClass: "Order", techId: order, updateTime: Fixtures.time(1_700_000_000_000_600),
                namingTopic: "#N3", change: .synchronize
            ),
        ])
    }

    /// A minimal delta of `operation` on a Customer.
    static func single(_ operation: DeltaOperation, fields: [String: TimedValue] = [:]) -> DeltaBuffer {
        DeltaBuffer(schemaName: schema.name, originSite: "center", sequence: 1, deltas: [
            Delta(operation: operation, entityClass: "Customer", techId: Fixtures.id(7), updateTime: Fixtures.time(1000),
                  topics: Fixtures.topics("A"), fields: fields)
        ])
    }

    /// Wraps `body` (everything after the header) in a header with a correct length and CRC,
    /// so tests can reach the body parser with hand-made bytes.
    static func framed(body: [UInt8], version: UInt8 = 1) -> [UInt8] {
        var writer = ByteWriter()
        writer.writeBytes(DeltaBufferCodec.magic)
        writer.writeUInt8(version)
        writer.writeUInt32(UInt32(13 + body.count))
        writer.writeUInt32(CRC32.checksum(body))
        writer.writeBytes(body)
        return writer.bytes
    }

    /// The body prefix up to and including the delta count, for hand-made buffers.
    static func bodyStart(schemaName: String = schema.name, deltaCount: Int = 1) -> ByteWriter {
        var writer = ByteWriter()
        writer.writeString(schemaName)
        writer.writeString("center")
        writer.writeInt64(7)
        writer.writeVarint(deltaCount)
        return writer
    }

    /// Writes a Customer (class 0) delta header up to, not including, the field count.
    static func writeCustomerHeader(into writer: inout ByteWriter, op: UInt8 = 2, classIndex: Int = 0, topics: String = ",A,") {
        writer.writeUInt8(op)
        writer.writeVarint(classIndex)
        writer.writeUUID(Fixtures.id(1))
        writer.writeSignedVarint(1000)
        writer.writeString(topics)
        writer.writeUInt8(0)  // no oldTopics
        writer.writeUInt8(0)  // no topicsTime
        writer.writeUInt8(1)  // inCache
        writer.writeUInt8(0)  // no registration
    }
}
