import ArborCore
import Foundation

/// A registered client's fetch acknowledgement state (DESIGN rule 3), kept with the site's data
/// so that any server process of the site takes the client's next fetch (§8.1): the persisted
/// form of its ``FetchRoutingStateMachine``.
///
/// Every change goes through a compare-and-set on ``generation``, so two fetches of one client
/// at two processes never both commit one batch, and a fetch superseded by a newer one (or by a
/// load) never stores its pending batch over the newer state.
public struct FetchAcknowledgementRecord: Hashable, Sendable {
    /// The client, as in the clients table.
    public var clientId: String
    /// The client's bit when the state was stored; a state stored for another bit (the client
    /// was removed and added again) does not apply.
    public var bit: ClientBit
    /// The last sequence the client acknowledged; nil after a load or an unregistration, when
    /// its next fetch starts from wherever it asks.
    public var acknowledgedSequence: Int64?
    /// The batch sent after ``acknowledgedSequence`` and not yet acknowledged.
    public var pending: FetchRoutingStateMachine.PendingBatch?
    /// Incremented by every change; 0 for a record not stored yet.
    public var generation: Int64

    public init(
        clientId: String, bit: ClientBit, acknowledgedSequence: Int64?,
        pending: FetchRoutingStateMachine.PendingBatch? = nil, generation: Int64 = 0
    ) {
        self.clientId = clientId
        self.bit = bit
        self.acknowledgedSequence = acknowledgedSequence
        self.pending = pending
        self.generation = generation
    }
}

/// The stored form of a pending batch's per-entity states: 17 bytes per entity (the tech-id's
/// 16 bytes, then 0 unregistered, 1 unsynchronized, 2 synchronized), in tech-id order.
enum PendingStatesCoding {
    static func encode(_ states: [UUID: RegistrationState]) -> Data {
        var data = Data(capacity: states.count * 17)
        for (techId, state) in states.sorted(by: { $0.key.byteOrder < $1.key.byteOrder }) {
            withUnsafeBytes(of: techId.uuid) { data.append(contentsOf: $0) }
            data.append(code(of: state))
        }
        return data
    }

    static func decode(_ data: Data) throws(StoreError) -> [UUID: RegistrationState] {
        guard data.count % 17 == 0 else {
            throw StoreError(.queryFailed, "a stored fetch acknowledgement holds \(data.count) bytes of pending states, not a multiple of 17")
        }
        let bytes = [UInt8](data)
        var states: [UUID: RegistrationState] = [:]
        for start in stride(from: 0, to: bytes.count, by: 17) {
            let b = Array(bytes[start..<start + 16])
            let techId = UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
            switch bytes[start + 16] {
            case 0: states[techId] = .unregistered
            case 1: states[techId] = .unsynchronized
            case 2: states[techId] = .synchronized
            case let other: throw StoreError(.queryFailed, "a stored fetch acknowledgement holds an unknown registration state \(other)")
            }
        }
        return states
    }

    private static func code(of state: RegistrationState) -> UInt8 {
        switch state {
        case .unregistered: 0
        case .unsynchronized: 1
        case .synchronized: 2
        }
    }
}
