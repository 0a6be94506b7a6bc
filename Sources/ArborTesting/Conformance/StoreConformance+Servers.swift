import ArborCore
import ArborStore
import Foundation

extension StoreConformance {
    static let serverChecks: [Check] = [
        Check(name: "server announcements replace, list and withdraw") { backend in
            try await TestStores.withStore(backend) { store in
                try await store.announceServer(SiteServerLoad(url: "http://127.0.0.1:9001", edges: 3, isMaster: true, seenMicroseconds: 10))
                try await store.announceServer(SiteServerLoad(url: "http://127.0.0.1:9002", edges: 0, isMaster: false, seenMicroseconds: 11))
                try await store.announceServer(SiteServerLoad(url: "http://127.0.0.1:9001", edges: 5, isMaster: false, seenMicroseconds: 12))
                let listed = try await store.siteServers()
                try require(
                    listed == [
                        SiteServerLoad(url: "http://127.0.0.1:9001", edges: 5, isMaster: false, seenMicroseconds: 12),
                        SiteServerLoad(url: "http://127.0.0.1:9002", edges: 0, isMaster: false, seenMicroseconds: 11),
                    ],
                    "listed \(listed)"
                )
                try await store.withdrawServer(url: "http://127.0.0.1:9001")
                try require(try await store.siteServers().map(\.url) == ["http://127.0.0.1:9002"], "withdraw did not remove the entry")
            }
        },
        Check(name: "the master lock is held by one store at a time and freed by release or close") { backend in
            let place = try TestStores.place(backend)
            let prefix = TestStores.randomPrefix()
            let one = try await TestStores.open(place, prefix: prefix, siteName: "branch")
            let two = try await TestStores.open(place, prefix: prefix, siteName: "branch")
            let otherInstance = try await TestStores.open(place, prefix: TestStores.randomPrefix(), siteName: "branch")
            let first = one.masterLock(), second = two.masterLock(), third = otherInstance.masterLock()
            do {
                try require(try await first.tryAcquire(), "a free lock was refused")
                try require(try await first.tryAcquire(), "the holder asking again was refused")
                try require(await first.isHeld(), "the holder does not hold the lock")
                try require(try await !second.tryAcquire(), "two processes hold the master lock")
                try require(try await third.tryAcquire(), "another instance's lock is not independent")
                await first.release()
                try require(await !first.isHeld(), "a released lock is still held")
                try require(try await second.tryAcquire(), "a released lock could not be taken")
                await second.release()
                try require(try await first.tryAcquire(), "the lock could not be taken back")
                await first.release()
                await third.release()
            } catch {
                await first.release(); await second.release(); await third.release()
                await TestStores.remove(otherInstance, place); await TestStores.remove(two, place); await TestStores.remove(one, place)
                throw error
            }
            await TestStores.remove(otherInstance, place)
            await TestStores.remove(two, place)
            await TestStores.remove(one, place)
        },
    ]
}
