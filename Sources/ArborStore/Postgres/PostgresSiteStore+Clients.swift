import ArborCore
import Foundation
import PostgresNIO

extension PostgresSiteStore {
    /// Every client, ordered by bit number.
    public func clients() async throws(StoreError) -> [ClientRecord] {
        try await withConnection("reading the clients table") { connection in try await clients(on: connection) }
    }

    /// Adds a client (lowest free bit when `bit` is nil); `.conflict` names a duplicate id, a bit in use, or a full table.
    public func addClient(id: String, bit: ClientBit?, secretHash: String?, role: ClientRole) async throws(StoreError) -> ClientRecord {
        try ClientRecord.validate(clientId: id)
        return try await transaction("adding client '\(id)'") { connection in
            // Adds (and, briefly, other changes) wait for each other, so "lowest free bit" is
            // decided on a stable table; readers are not blocked by this mode.
            try await connection.run(PostgresQuery(unsafeSQL: "LOCK TABLE \(table("clients")) IN SHARE ROW EXCLUSIVE MODE"), logger: logger)
            let existing = try await clients(on: connection)
            if existing.contains(where: { $0.clientId == id }) {
                throw StoreError(.conflict, "client '\(id)' already exists: choose another id, or remove it first")
            }
            let chosen: ClientBit
            if let bit {
                if let holder = existing.first(where: { $0.bit == bit }) {
                    throw StoreError(.conflict, "\(bit) is already used by client '\(holder.clientId)': choose another bit, or omit it to take the lowest free one")
                }
                chosen = bit
            } else {
                let used = Set(existing.map(\.bit.number))
                guard let free = ClientBit.range.first(where: { !used.contains($0) }).flatMap(ClientBit.init) else {
                    throw StoreError(.conflict, "the clients table is full: all 64 bits are in use; remove a client first")
                }
                chosen = free
            }
            try await connection.run(
                "INSERT INTO \(unescaped: table("clients")) (client_id, bit_number, is_disabled, secret_hash, role) VALUES (\(id), \(Int16(chosen.number)), false, \(secretHash), \(role.rawValue))",
                logger: logger
            )
            return ClientRecord(clientId: id, bit: chosen, isDisabled: false, secretHash: secretHash, role: role)
        }
    }

    /// Sets `is_disabled`; `.notFound` for an unknown id.
    public func setClientDisabled(id: String, disabled: Bool) async throws(StoreError) {
        let rows = try await withConnection("updating client '\(id)'") { connection in
            try await connection.run(
                "UPDATE \(unescaped: table("clients")) SET is_disabled = \(disabled) WHERE client_id = \(id) RETURNING bit_number",
                logger: logger
            ).count
        }
        guard rows > 0 else { throw StoreError(.notFound, "client '\(id)' does not exist: list the clients to check the id") }
    }

    /// Sets or clears `secret_hash`; `.notFound` for an unknown id.
    public func setClientSecretHash(id: String, hash: String?) async throws(StoreError) {
        let rows = try await withConnection("changing the secret of client '\(id)'") { connection in
            try await connection.run(
                "UPDATE \(unescaped: table("clients")) SET secret_hash = \(hash) WHERE client_id = \(id) RETURNING bit_number",
                logger: logger
            ).count
        }
        guard rows > 0 else { throw StoreError(.notFound, "client '\(id)' does not exist: list the clients to check the id") }
    }

    /// Sets `role`; `.notFound` for an unknown id.
    public func setClientRole(id: String, role: ClientRole) async throws(StoreError) {
        let rows = try await withConnection("changing the role of client '\(id)'") { connection in
            try await connection.run(
                "UPDATE \(unescaped: table("clients")) SET role = \(role.rawValue) WHERE client_id = \(id) RETURNING bit_number",
                logger: logger
            ).count
        }
        guard rows > 0 else { throw StoreError(.notFound, "client '\(id)' does not exist: list the clients to check the id") }
    }

    /// Removes a client row; `.notFound` for an unknown id.
    public func removeClient(id: String) async throws(StoreError) {
        let rows = try await withConnection("removing client '\(id)'") { connection in
            try await connection.run(
                "DELETE FROM \(unescaped: table("clients")) WHERE client_id = \(id) RETURNING bit_number", logger: logger
            ).count
        }
        guard rows > 0 else { throw StoreError(.notFound, "client '\(id)' does not exist: list the clients to check the id") }
    }

    /// Reads the table once at start, then again after each NOTIFY from its trigger and every
    /// `pollInterval` (a lost notification costs latency only); yields when it changed.
    public func watchClients(pollInterval: Duration) -> AsyncThrowingStream<[ClientRecord], any Error> {
        let (output, outputContinuation) = AsyncThrowingStream<[ClientRecord], any Error>.makeStream()
        let (ticks, tickContinuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        notifications.add(tickContinuation, to: clientsChannel)
        let poller = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: pollInterval)
                tickContinuation.yield()
            }
        }
        let watcher = Task {
            var last: [ClientRecord]?
            var wakeUps = ticks.makeAsyncIterator()
            do {
                repeat {
                    let current = try await clients()
                    if current != last {
                        outputContinuation.yield(current)
                        last = current
                    }
                    if Task.isCancelled { break }
                } while await wakeUps.next() != nil
                outputContinuation.finish()
            } catch {
                outputContinuation.finish(throwing: error)
            }
            poller.cancel()
            tickContinuation.finish()
        }
        outputContinuation.onTermination = { _ in
            watcher.cancel()
            poller.cancel()
            tickContinuation.finish()
        }
        return output
    }

    private func clients(on connection: PostgresConnection) async throws -> [ClientRecord] {
        let rows = try await connection.run(
            "SELECT client_id::text, bit_number, is_disabled, secret_hash, role FROM \(unescaped: table("clients")) ORDER BY bit_number", logger: logger
        )
        return try rows.map { row in
            let (id, number, disabled, secretHash, roleName) = try row.decode((String, Int16, Bool, String?, String).self)
            guard let bit = ClientBit(Int(number)) else {
                throw StoreError(.queryFailed, "client '\(id)' has bit number \(number), outside 0-63: was the table changed outside Arbor?")
            }
            guard let role = ClientRole(name: roleName) else {
                throw StoreError(.queryFailed, "client '\(id)' has role '\(roleName)', not one of \(ClientRole.names): was the table changed outside Arbor?")
            }
            return ClientRecord(clientId: id, bit: bit, isDisabled: disabled, secretHash: secretHash, role: role)
        }
    }
}
