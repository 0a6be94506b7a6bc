import ArborCore
import Foundation
import Testing

struct UUIDByteOrderTests {
    /// Lock orders, digests and stored pending states keep the order they had with `uuidString`.
    @Test func byteOrderIsTheOrderOfUUIDStrings() {
        var ids = (0..<2_000).map { _ in UUID() }
        ids += [UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)), UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255)),
                UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 1, 255, 0, 0, 0, 0, 0, 0, 0)), UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255))]
        #expect(ids.sorted { $0.byteOrder < $1.byteOrder } == ids.sorted { $0.uuidString < $1.uuidString })
    }
}
