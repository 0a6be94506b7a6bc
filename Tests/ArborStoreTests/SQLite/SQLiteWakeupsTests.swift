#if canImport(Glibc)
import Glibc
#endif
import ArborCore
@testable import ArborStore
import ArborTesting
import Foundation
import Testing

/// Commits wake readers of other store objects (other processes) on the same SQLite file by a
/// datagram; the in-process signal alone never reaches them (they would wait for a poll).
@Suite struct SQLiteWakeupsTests {
    /// Two store objects on one file, as two server processes would have.
    func withTwoStores(_ body: (SQLiteSiteStore, SQLiteSiteStore) async throws -> Void) async throws {
        let place = try TestStores.place(.sqlite)
        let prefix = TestStores.randomPrefix()
        let writer = try await TestStores.open(place, prefix: prefix) as! SQLiteSiteStore
        let reader = try await TestStores.open(place, prefix: prefix) as! SQLiteSiteStore
        do {
            try await body(writer, reader)
        } catch {
            await reader.close()
            await TestStores.remove(writer, place)
            throw error
        }
        await reader.close()
        await TestStores.remove(writer, place)
    }

    /// The first element of `stream` after `action`, or nil after `timeout`.
    func firstWake(of stream: AsyncStream<Void>, after action: () async throws -> Void, timeout: Duration = .seconds(15)) async throws -> Duration? {
        let started = ContinuousClock.now
        let waiter = Task { () -> Bool in
            for await _ in stream { return true }
            return false
        }
        let timer = Task {
            try? await Task.sleep(for: timeout)
            waiter.cancel()
        }
        try await action()
        let woke = await waiter.value
        timer.cancel()
        return woke ? ContinuousClock.now - started : nil
    }

    @Test func aCommitWakesTheLogReaderOfAnotherStoreObject() async throws {
        try await withTwoStores { writer, reader in
            let wakes = reader.logAppended()
            let took = try await firstWake(of: wakes) {
                try await EntitiesSubsystem(store: writer).write([Samples.customerCreate(id: Fixtures.id(1))])
            }
            #expect(took != nil, "the other store object's log reader was not woken")
            // Only the datagram wakes this stream (readers poll on their own), so any wake proves
            // it; the bound is wide for a loaded machine. Speed: `arbor-bench sqlite-wake`.
            #expect(took.map { $0 < .seconds(10) } ?? false, "woken after \(String(describing: took))")
        }
    }

    @Test func aClientsChangeWakesTheWatcherOfAnotherStoreObject() async throws {
        try await withTwoStores { writer, reader in
            _ = try await writer.addClient(id: "shop", bit: nil)
            var changes = reader.watchClients(pollInterval: .seconds(60)).makeAsyncIterator()
            #expect(try await changes.next()?.first?.isDisabled == false)
            let started = ContinuousClock.now
            try await writer.setClientDisabled(id: "shop", disabled: true)
            // The watcher polls only every 60 s: only the datagram can deliver this in time.
            let next = Task { try await changes.next() }
            let timer = Task { try? await Task.sleep(for: .seconds(15)); next.cancel() }
            let table = try? await next.value
            timer.cancel()
            #expect(table?.first?.isDisabled == true, "the change was not seen within 15 s")
            // Far below the 60 s poll, with room for a loaded machine.
            #expect(ContinuousClock.now - started < .seconds(15))
        }
    }

    @Test func socketsOfGoneProcessesAreRemovedAndClosingRemovesItsOwn() async throws {
        try await withTwoStores { writer, reader in
            _ = reader.logAppended()
            let directory = reader.wakeups.directory
            // A socket file nobody receives on, as a killed process leaves it.
            let stale = "\(directory)/999999-deadbeef.sock"
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                let bytes = Array(stale.utf8)
                raw.copyBytes(from: bytes)
                raw[bytes.count] = 0
            }
            let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
            #expect(bound == 0)
            close(descriptor)
            #expect(FileManager.default.fileExists(atPath: stale))
            try await EntitiesSubsystem(store: writer).write([Samples.customerCreate(id: Fixtures.id(2))])
            #expect(!FileManager.default.fileExists(atPath: stale), "a dead socket was left behind")
            let own = try FileManager.default.contentsOfDirectory(atPath: directory)
            #expect(own.count == 1, "the reader's socket: \(own)")
            await reader.close()
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty, "closing left its socket")
        }
    }
}
