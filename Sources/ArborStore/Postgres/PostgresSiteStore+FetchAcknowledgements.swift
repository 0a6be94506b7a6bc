import ArborCore
import Foundation
import PostgresNIO

/// Registered clients' fetch acknowledgements (DESIGN rule 3), shared by the site's processes.
extension PostgresSiteStore {
    public func fetchAcknowledgement(clientId: String) async throws(StoreError) -> FetchAcknowledgementRecord? {
        let action = "reading the fetch acknowledgement of '\(clientId)'"
        let rows = try await withConnection(action) { connection in
            try await connection.run(
                """
                SELECT bit_number, acknowledged_sequence, pending_last_sequence, pending_states, generation
                FROM \(unescaped: table("fetch_acknowledgements")) WHERE client_id = \(clientId)
                """,
                logger: logger)
        }
        guard let row = rows.first else { return nil }
        let decoded: (Int32, Int64?, Int64?, ByteBuffer, Int64)
        do {
            decoded = try row.decode((Int32, Int64?, Int64?, ByteBuffer, Int64).self)
        } catch {
            throw PostgresStoreErrors.map(error, action, prefix: prefix)
        }
        let (bitNumber, acknowledged, pendingLast, buffer, generation) = decoded
        guard let bit = ClientBit(Int(bitNumber)) else {
            throw StoreError(.queryFailed, "the stored fetch acknowledgement of '\(clientId)' names an invalid bit")
        }
        let states = try PendingStatesCoding.decode(Data(buffer.readableBytesView))
        return FetchAcknowledgementRecord(
            clientId: clientId, bit: bit, acknowledgedSequence: acknowledged,
            pending: pendingLast.map { FetchRoutingStateMachine.PendingBatch(lastSequence: $0, states: states) },
            generation: generation)
    }

    public func replaceFetchAcknowledgement(
        _ record: FetchAcknowledgementRecord, expectedGeneration: Int64?, committing: [UUID: RegistrationState]
    ) async throws(StoreError) -> Int64? {
        let generation = (expectedGeneration ?? 0) + 1
        let states = ByteBuffer(bytes: PendingStatesCoding.encode(record.pending?.states ?? [:]))
        let (clientId, bitNumber, acknowledged, pendingLast) = (
            record.clientId, Int32(record.bit.number), record.acknowledgedSequence, record.pending?.lastSequence
        )
        // Sorted, so concurrent changes lock registration rows in the same order.
        let sorted = committing.sorted { $0.key.byteOrder < $1.key.byteOrder }
        let wanted = sorted.map { entry -> RegistrationMasks in
            var masks = RegistrationMasks.none
            masks.set(entry.value, for: record.bit)
            return masks
        }
        let keep = Int64(bitPattern: ~record.bit.mask)
        let ids = sorted.map(\.key)
        return try await transaction("storing the fetch acknowledgement of '\(clientId)'") { connection -> Int64? in
            let changed: [PostgresRow]
            if let expectedGeneration {
                changed = try await connection.run(
                    """
                    UPDATE \(unescaped: table("fetch_acknowledgements")) SET bit_number = \(bitNumber), acknowledged_sequence = \(acknowledged),
                        pending_last_sequence = \(pendingLast), pending_states = \(states), generation = \(generation)
                    WHERE client_id = \(clientId) AND generation = \(expectedGeneration) RETURNING generation
                    """,
                    logger: logger)
            } else {
                changed = try await connection.run(
                    """
                    INSERT INTO \(unescaped: table("fetch_acknowledgements"))
                        (client_id, bit_number, acknowledged_sequence, pending_last_sequence, pending_states, generation)
                    VALUES (\(clientId), \(bitNumber), \(acknowledged), \(pendingLast), \(states), \(generation))
                    ON CONFLICT (client_id) DO NOTHING RETURNING generation
                    """,
                    logger: logger)
            }
            guard !changed.isEmpty else { return nil }
            guard !ids.isEmpty else { return generation }
            // The acknowledged batch's states, with the bit operations of `setRegistrations`.
            try await connection.run(
                """
                INSERT INTO \(unescaped: table("registrations")) AS r (tech_id, registered, synced)
                SELECT * FROM unnest(\(ids)::uuid[], \(wanted.map { Int64(bitPattern: $0.registered) })::bigint[],
                                     \(wanted.map { Int64(bitPattern: $0.synced) })::bigint[])
                ON CONFLICT (tech_id) DO UPDATE SET registered = (r.registered & \(keep)) | EXCLUDED.registered,
                                                    synced = (r.synced & \(keep)) | EXCLUDED.synced
                """,
                logger: logger)
            try await connection.run(
                "DELETE FROM \(unescaped: table("registrations")) WHERE tech_id = ANY(\(ids)) AND registered = 0", logger: logger)
            return generation
        }
    }

    public func resetFetchAcknowledgement(clientId: String) async throws(StoreError) {
        try await withConnection("resetting the fetch acknowledgement of '\(clientId)'") { connection in
            try await connection.run(
                """
                UPDATE \(unescaped: table("fetch_acknowledgements")) SET acknowledged_sequence = NULL, pending_last_sequence = NULL,
                    pending_states = '\\x'::bytea, generation = generation + 1
                WHERE client_id = \(clientId)
                """,
                logger: logger)
        }
    }
}
