import ArborCore
import ArborStore
import Foundation

extension StoreConformance {
    static let counterChecks: [Check] = [
        Check(name: "site counters are read, set, and advanced only from the value they hold") { backend in
            try await TestStores.withStore(backend) { store in
                try require(try await store.siteCounter("link.father.applied") == nil, "an unset counter has a value")
                // Unset counts as 0 for a compare-and-set.
                try await requireStoreError(.conflict, "advance of an unset counter from 3") {
                    try await store.advanceSiteCounter("link.father.applied", to: 5, from: 3)
                }
                try await store.advanceSiteCounter("link.father.applied", to: 5, from: 0)
                try require(try await store.siteCounter("link.father.applied") == 5, "the counter did not advance")
                try await requireStoreError(.conflict, "advance from a moved value") {
                    try await store.advanceSiteCounter("link.father.applied", to: 9, from: 0)
                }
                try require(try await store.siteCounter("link.father.applied") == 5, "a refused advance moved the counter")
                try await store.setSiteCounter("link.father.applied", Int64.max)
                try await store.setSiteCounter("other", -7)
                try require(try await store.siteCounter("link.father.applied") == Int64.max, "set did not replace")
                try require(try await store.siteCounter("other") == -7, "a negative counter")
                try require(try await store.siteState("link.father.applied") == nil, "a counter leaked into site state")
            }
        },
        Check(name: "bit updates of a counter keep every bit set or cleared concurrently, from tasks and from two store objects") { backend in
            let place = try TestStores.place(backend)
            let prefix = TestStores.randomPrefix()
            let one = try await TestStores.open(place, prefix: prefix, siteName: "one")
            let two = try await TestStores.open(place, prefix: prefix, siteName: "one")
            do {
                let name = SiteCounter.knownRegistrationBits
                // 64 bits, each set by its own task, alternately through the two stores.
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for bit in 0..<64 {
                        let store = bit.isMultiple(of: 2) ? one : two
                        group.addTask { try await store.updateSiteCounterBits(name, setting: 1 << UInt64(bit), clearing: 0) }
                    }
                    try await group.waitForAll()
                }
                let all = try await one.siteCounter(name).map { UInt64(bitPattern: $0) }
                try require(all == .max, "bits were lost: \(all.map { String($0, radix: 2) } ?? "nil")")
                // Clear the odd bits concurrently while the even ones are set again.
                try await withThrowingTaskGroup(of: UInt64.self) { group in
                    for bit in 0..<64 {
                        let store = bit.isMultiple(of: 3) ? one : two
                        let mask: UInt64 = 1 << UInt64(bit)
                        group.addTask {
                            bit.isMultiple(of: 2)
                                ? try await store.updateSiteCounterBits(name, setting: mask, clearing: 0)
                                : try await store.updateSiteCounterBits(name, setting: 0, clearing: mask)
                        }
                    }
                    for try await returned in group { _ = returned }
                }
                let even: UInt64 = 0x5555_5555_5555_5555
                let after = try await two.updateSiteCounterBits(name, setting: 0, clearing: 0)
                try require(after == even, "concurrent clears lost an update: \(String(after, radix: 16))")
                try require(try await one.updateSiteCounterBits(name, setting: 0, clearing: .max) == 0, "clearing every bit")
            } catch {
                await two.close()
                await TestStores.remove(one, place)
                throw error
            }
            await two.close()
            await TestStores.remove(one, place)
        },
        Check(name: "an install moves integer values an older version kept in site state into counters") { backend in
            try await TestStores.withStore(backend) { store in
                try await store.setSiteState("link.father.applied", "12")
                try await store.setSiteState("link.son.b1.applied", "40")
                try await store.setSiteState(SiteCounter.knownRegistrationBits, String(UInt64.max - 1))
                try await store.setSiteState("father", "center")
                try await store.setSiteCounter("link.father.uploaded", 3)
                try await store.setSiteState("link.father.uploaded", "1")
                try await store.install(upgradingSchema: false)
                try require(try await store.siteCounter("link.father.applied") == 12, "applied position not moved")
                try require(try await store.siteCounter("link.son.b1.applied") == 40, "son position not moved")
                try require(
                    try await store.siteCounter(SiteCounter.knownRegistrationBits) == Int64(bitPattern: UInt64.max - 1),
                    "known bits not moved with their bit pattern"
                )
                try require(try await store.siteCounter("link.father.uploaded") == 3, "a legacy value replaced a counter")
                try require(try await store.siteState("link.father.applied") == nil, "the legacy value stayed in site state")
                try require(try await store.siteState("father") == "center", "a text value was moved")
            }
        },
    ]
}
