import ArborCore
import Foundation
import GRDB

extension SQLiteSiteStore {
    var clientsTable: String { prefix.table("clients") }

    public func clients() async throws(StoreError) -> [ClientRecord] {
        try await reading("reading the clients table") { db in try self.fetchClients(db) }
    }

    /// Adds a client in one transaction that first checks the id, the bit and the table size,
    /// so each refusal is a `.conflict` naming what is taken.
    public func addClient(id: String, bit: ClientBit?, secretHash: String?, role: ClientRole) async throws(StoreError) -> ClientRecord {
        try ClientRecord.validate(clientId: id)
        let record = try await writing("adding client '\(id)'") { [clientsTable] db in
            let existing = try self.fetchClients(db)
            if existing.contains(where: { $0.clientId == id }) {
                throw StoreError(.conflict, "client '\(id)' already exists: remove it first or choose another id")
            }
            let used = Set(existing.map(\.bit))
            let chosen: ClientBit
            if let bit {
                if let holder = existing.first(where: { $0.bit == bit }) {
                    throw StoreError(.conflict, "\(bit) is already used by client '\(holder.clientId)': choose a free bit or omit it")
                }
                chosen = bit
            } else {
                guard let free = ClientBit.range.lazy.compactMap(ClientBit.init).first(where: { !used.contains($0) }) else {
                    throw StoreError(.conflict, "the clients table is full (all 64 bits are in use): remove a client before adding '\(id)'")
                }
                chosen = free
            }
            try db.execute(
                sql: "INSERT INTO \(clientsTable) (client_id, bit_number, is_disabled, secret_hash, role) VALUES (?, ?, 0, ?, ?)",
                arguments: [id, chosen.number, secretHash, role.rawValue]
            )
            return ClientRecord(clientId: id, bit: chosen, isDisabled: false, secretHash: secretHash, role: role)
        }
        clientsSignal.signal()
        wakeups.notifyOthers(.clients)
        return record
    }

    public func setClientDisabled(id: String, disabled: Bool) async throws(StoreError) {
        try await changeClient(id, action: disabled ? "disabling" : "enabling",
                               sql: "UPDATE \(clientsTable) SET is_disabled = ? WHERE client_id = ?", arguments: [disabled ? 1 : 0, id])
    }

    public func setClientSecretHash(id: String, hash: String?) async throws(StoreError) {
        try await changeClient(id, action: "changing the secret of", sql: "UPDATE \(clientsTable) SET secret_hash = ? WHERE client_id = ?", arguments: [hash, id])
    }

    public func setClientRole(id: String, role: ClientRole) async throws(StoreError) {
        try await changeClient(id, action: "changing the role of", sql: "UPDATE \(clientsTable) SET role = ? WHERE client_id = ?", arguments: [role.rawValue, id])
    }

    public func removeClient(id: String) async throws(StoreError) {
        try await changeClient(id, action: "removing", sql: "DELETE FROM \(clientsTable) WHERE client_id = ?", arguments: [id])
    }

    /// Yields the table at once, then whenever it differs from the last yield: checked every
    /// `pollInterval` (changes by other connections), and at once after a change made through
    /// this store object or another process's (`arbor clients` sends a wake-up datagram).
    /// Ends when the store is closed.
    public func watchClients(pollInterval: Duration) -> AsyncThrowingStream<[ClientRecord], any Error> {
        receiveWakeups()
        let (ticks, tick) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        clientsSignal.add(tick)
        tick.yield()  // the initial read
        return AsyncThrowingStream { continuation in
            let timer = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: pollInterval)
                    tick.yield()
                }
            }
            let watcher = Task {
                var last: [ClientRecord]?
                for await _ in ticks {
                    do {
                        let current = try await self.clients()
                        if current != last {
                            last = current
                            continuation.yield(current)
                        }
                    } catch {
                        continuation.finish(throwing: error)
                        return
                    }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in
                timer.cancel()
                watcher.cancel()
                tick.finish()
            }
        }
    }

    private func changeClient(_ id: String, action: String, sql: String, arguments: StatementArguments) async throws(StoreError) {
        let changed = try await writing("\(action) client '\(id)'") { db in
            try db.execute(sql: sql, arguments: arguments)
            return db.changesCount
        }
        guard changed > 0 else { throw StoreError(.notFound, "no client '\(id)' in the clients table") }
        clientsSignal.signal()
        wakeups.notifyOthers(.clients)
    }

    func fetchClients(_ db: Database) throws -> [ClientRecord] {
        let rows = try Row.fetchAll(db, sql: "SELECT client_id, bit_number, is_disabled, secret_hash, role FROM \(clientsTable) ORDER BY bit_number")
        return try rows.map { row in
            guard let bit = ClientBit(row[1]) else {
                throw StoreError(.queryFailed, "the clients table holds a bit number outside 0-63: was it changed outside Arbor?")
            }
            guard let role = ClientRole(name: row[4]) else {
                throw StoreError(.queryFailed, "the clients table holds a role other than \(ClientRole.names): was it changed outside Arbor?")
            }
            return ClientRecord(clientId: row[0], bit: bit, isDisabled: (row[2] as Int64) != 0, secretHash: row[3], role: role)
        }
    }
}
