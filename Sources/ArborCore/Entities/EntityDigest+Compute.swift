import Foundation

/// Per-entity digests for `arbor verify`: two sites holding the same entity — the same values
/// and the same per-field write times — compute the same digest, and any difference in a
/// value, a time, a topic or a sub-entity changes it.
///
/// The digest is 32 hex digits: two 64-bit FNV-1a lanes with different offset bases over a
/// canonical byte encoding, each finished with an avalanche mix. It detects divergence between
/// sites; it is not a cryptographic hash and must not be used to authenticate data.
extension EntityState {
    /// The entity's digest: 32 lowercase hex digits over its class, tech-id, application topics
    /// and their time, `inCache`, every field with its value and write time, and every
    /// sub-entity (tombstones included) with its fields.
    public func digest() -> String {
        EntityDigestHasher.digest(of: canonicalDigestBytes())
    }

    /// The canonical encoding the digest is computed over: every part in a fixed order, fields
    /// sorted by name and sub-entities by tech-id, so dictionary order never matters. Every
    /// variable-length part carries its length, so no two different states share an encoding.
    func canonicalDigestBytes() -> [UInt8] {
        var writer = ByteWriter(capacity: 256)
        writer.writeString(EntityDigestHasher.formatTag)
        writer.writeString(entityClass)
        writer.writeUUID(techId)
        writer.writeString(topics.applicationTopics.formatted)
        writer.writeInt64(topicsTime.microseconds)
        writer.writeUInt8(inCache ? 1 : 0)
        writer.writeDigestFields(fields)
        let subs = subEntities.values.sorted { $0.techId.byteOrder < $1.techId.byteOrder }
        writer.writeVarint(subs.count)
        for sub in subs {
            writer.writeString(sub.collection)
            writer.writeUUID(sub.techId)
            writer.writeUUID(sub.parentId)
            writer.writeUInt8(sub.isDeleted ? 1 : 0)
            if let deletedTime = sub.deletedTime {
                writer.writeUInt8(1)
                writer.writeInt64(deletedTime.microseconds)
            } else {
                writer.writeUInt8(0)
            }
            writer.writeDigestFields(sub.fields)
        }
        return writer.bytes
    }
}

extension ByteWriter {
    /// Fields sorted by the UTF-8 bytes of their names (independent of locale and of Unicode
    /// normalization), each as name, value and write time.
    mutating func writeDigestFields(_ fields: [String: TimedValue]) {
        let names = fields.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        writeVarint(names.count)
        for name in names {
            guard let timed = fields[name] else { continue }
            writeString(name)
            writeDigestValue(timed.value)
            writeInt64(timed.time.microseconds)
        }
    }

    /// A value as a type tag and its canonical bytes; doubles by bit pattern, so `-0.0`, `0.0`
    /// and different NaNs are told apart exactly as a store would keep them.
    mutating func writeDigestValue(_ value: FieldValue) {
        switch value {
        case .null: writeUInt8(0)
        case .uuid(let uuid):
            writeUInt8(1)
            writeUUID(uuid)
        case .text(let text):
            writeUInt8(2)
            writeString(text)
        case .int(let int):
            writeUInt8(3)
            writeUInt32(UInt32(bitPattern: int))
        case .bigint(let bigint):
            writeUInt8(4)
            writeInt64(bigint)
        case .double(let double):
            writeUInt8(5)
            writeUInt64(double.bitPattern)
        case .bool(let bool):
            writeUInt8(6)
            writeUInt8(bool ? 1 : 0)
        case .timestamp(let micros):
            writeUInt8(7)
            writeInt64(micros)
        case .bytes(let data):
            writeUInt8(8)
            writeLengthPrefixedBytes(data)
        case .json(let text):
            writeUInt8(9)
            writeString(text)
        }
    }
}

/// The hash behind ``EntityState/digest()``: pure, deterministic across platforms and runs
/// (unlike `Hasher`, which is seeded per process).
enum EntityDigestHasher {
    /// Names the encoding; a change of the encoding changes the tag, so sites running
    /// different encodings never report a false "equal".
    static let formatTag = "arbor-entity-digest-1"

    static let prime: UInt64 = 0x0000_0100_0000_01B3
    /// The standard FNV-1a 64-bit offset basis.
    static let firstBasis: UInt64 = 0xCBF2_9CE4_8422_2325
    /// An arbitrary second basis, so the two lanes follow different trajectories over the same bytes.
    static let secondBasis: UInt64 = 0x84A4_E1B4_7B2B_1C6D

    /// The 32-hex-digit digest of `bytes`.
    static func digest(of bytes: [UInt8]) -> String {
        let first = mix(fnv1a(bytes, basis: firstBasis) ^ UInt64(bytes.count))
        let second = mix(fnv1a(bytes, basis: secondBasis) &+ UInt64(bytes.count))
        return hex(first) + hex(second)
    }

    /// 64-bit FNV-1a from `basis`.
    static func fnv1a(_ bytes: [UInt8], basis: UInt64) -> UInt64 {
        var hash = basis
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* prime
        }
        return hash
    }

    /// MurmurHash3's 64-bit finalizer: spreads every input bit over the whole output, which
    /// FNV's last byte alone does not.
    static func mix(_ value: UInt64) -> UInt64 {
        var x = value
        x ^= x >> 33
        x = x &* 0xFF51_AFD7_ED55_8CCD
        x ^= x >> 33
        x = x &* 0xC4CE_B9FE_1A85_EC53
        x ^= x >> 33
        return x
    }

    /// 16 lowercase hex digits, zero-padded.
    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
