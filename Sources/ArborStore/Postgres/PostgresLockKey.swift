import Foundation

/// The keys of the PostgreSQL advisory locks Arbor takes.
///
/// A write locks each entity it reads by a 64-bit key made from the tech-id, not by its row:
/// a row lock cannot protect an entity that does not exist yet, an advisory lock can. Writers
/// take their keys in ascending order, so two writers never wait for each other in a cycle.
enum PostgresLockKey {
    /// The key of one entity under `prefix`: the tech-id's two halves folded together, mixed
    /// with the prefix so instances sharing a database do not contend for the same entities.
    static func entity(_ techId: UUID, prefix: TablePrefix) -> Int64 {
        let bytes = withUnsafeBytes(of: techId.uuid) { Array($0) }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for index in 0..<8 {
            high = high << 8 | UInt64(bytes[index])
            low = low << 8 | UInt64(bytes[index + 8])
        }
        return Int64(bitPattern: high ^ low ^ fnv1a(prefix.value))
    }

    /// The distinct keys of `techIds`, ascending: the order every writer locks in.
    static func entities(_ techIds: some Sequence<UUID>, prefix: TablePrefix) -> [Int64] {
        Set(techIds.map { entity($0, prefix: prefix) }).sorted()
    }

    /// The two-part key (a key space apart from the entities' one-part keys) that serializes
    /// installs and uninstalls of one prefix.
    static func install(prefix: TablePrefix) -> (Int32, Int32) {
        twoPart("arbor.install", prefix.value)
    }

    /// The two-part key of the master role of `prefix` (§8.1), held by one session at a time.
    static func master(prefix: TablePrefix) -> (Int32, Int32) {
        twoPart("arbor.master", prefix.value)
    }

    /// The two-part key that serializes the changes of one position (a site-state key) of `prefix`.
    static func position(_ key: String, prefix: TablePrefix) -> (Int32, Int32) {
        twoPart("arbor.position", "\(prefix.value).\(key)")
    }

    /// A key in the two-part key space: what it guards, then which one.
    private static func twoPart(_ space: String, _ name: String) -> (Int32, Int32) {
        (Int32(truncatingIfNeeded: fnv1a(space)), Int32(truncatingIfNeeded: fnv1a(name)))
    }

    /// 64-bit FNV-1a of the UTF-8 bytes: stable across runs and platforms (unlike `hashValue`).
    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}
