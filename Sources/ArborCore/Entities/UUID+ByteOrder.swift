import Foundation

extension UUID {
    /// The id as two big-endian halves: comparing them orders ids by their bytes, which is the
    /// order of their `uuidString`s and PostgreSQL's `uuid` order, without formatting a string
    /// per comparison (sorting a fetch answer's registrations by `uuidString` showed in profiles).
    public var byteOrder: (UInt64, UInt64) {
        withUnsafeBytes(of: uuid) { bytes in
            (UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self)), UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        }
    }
}
