import ArborCore
import Foundation
import GRDB

/// Registered clients' fetch acknowledgements (DESIGN rule 3), shared by the site's processes.
extension SQLiteSiteStore {
    var fetchAcknowledgementsTable: String { prefix.table("fetch_acknowledgements") }

    public func fetchAcknowledgement(clientId: String) async throws(StoreError) -> FetchAcknowledgementRecord? {
        let stored = try await reading("reading the fetch acknowledgement of '\(clientId)'") {
            [fetchAcknowledgementsTable] db -> (bit: Int, acknowledged: Int64?, pendingLast: Int64?, states: Data, generation: Int64)? in
            guard let row = try Row.fetchOne(
                db,
                sql: """
                SELECT bit_number, acknowledged_sequence, pending_last_sequence, pending_states, generation
                FROM \(fetchAcknowledgementsTable) WHERE client_id = ?
                """,
                arguments: [clientId])
            else { return nil }
            return (row[0], row[1], row[2], row[3], row[4])
        }
        guard let stored else { return nil }
        guard let bit = ClientBit(stored.bit) else {
            throw StoreError(.queryFailed, "the stored fetch acknowledgement of '\(clientId)' names an invalid bit")
        }
        let states = try PendingStatesCoding.decode(stored.states)
        return FetchAcknowledgementRecord(
            clientId: clientId, bit: bit, acknowledgedSequence: stored.acknowledged,
            pending: stored.pendingLast.map { FetchRoutingStateMachine.PendingBatch(lastSequence: $0, states: states) },
            generation: stored.generation)
    }

    public func replaceFetchAcknowledgement(
        _ record: FetchAcknowledgementRecord, expectedGeneration: Int64?, committing: [UUID: RegistrationState]
    ) async throws(StoreError) -> Int64? {
        let generation = (expectedGeneration ?? 0) + 1
        let states = PendingStatesCoding.encode(record.pending?.states ?? [:])
        return try await writing("storing the fetch acknowledgement of '\(record.clientId)'") {
            [fetchAcknowledgementsTable] db -> Int64? in
            let values: StatementArguments = [
                record.clientId, record.bit.number, record.acknowledgedSequence, record.pending?.lastSequence, states, generation,
            ]
            if let expectedGeneration {
                try db.execute(
                    sql: """
                    UPDATE \(fetchAcknowledgementsTable) SET bit_number = ?2, acknowledged_sequence = ?3, pending_last_sequence = ?4,
                        pending_states = ?5, generation = ?6
                    WHERE client_id = ?1 AND generation = ?7
                    """,
                    arguments: values + [expectedGeneration])
            } else {
                try db.execute(
                    sql: """
                    INSERT INTO \(fetchAcknowledgementsTable)
                        (client_id, bit_number, acknowledged_sequence, pending_last_sequence, pending_states, generation)
                    VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (client_id) DO NOTHING
                    """,
                    arguments: values)
            }
            guard db.changesCount == 1 else { return nil }
            // The acknowledged batch's states, with the bit operations of `setRegistrations`.
            try self.setRegistrations(committing, for: record.bit, in: db)
            return generation
        }
    }

    public func resetFetchAcknowledgement(clientId: String) async throws(StoreError) {
        try await writing("resetting the fetch acknowledgement of '\(clientId)'") { [fetchAcknowledgementsTable] db in
            try db.execute(
                sql: """
                UPDATE \(fetchAcknowledgementsTable) SET acknowledged_sequence = NULL, pending_last_sequence = NULL,
                    pending_states = x'', generation = generation + 1
                WHERE client_id = ?
                """,
                arguments: [clientId])
        }
    }
}
