import ArborCore
import ArborStore
import Logging
import ServiceLifecycle

/// Carries out what a change of the clients table (§2.7) means for this process's servers.
///
/// Disabling needs nothing here: open fetches watch the directory themselves and end with
/// `ClientDisabled`, loads check between chunks, and new requests are refused on admission.
/// A removed client (or an id that now holds another bit) loses its fetch session and this
/// process's cached registrations of its old bit, so a client given that bit later starts
/// clean. The database side was cleared by `arbor clients remove`; servers never write the table.
public struct ClientWatcher: Service {
    private let clients: ClientDirectory
    private let registrations: RegistrationTable
    private let forgetSession: @Sendable (String) -> Void
    private let logger: Logger

    /// - Parameter forgetSession: drops a client's fetch session (the delta server's, when it runs).
    public init(
        clients: ClientDirectory, registrations: RegistrationTable, logger: Logger,
        forgetSession: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.clients = clients
        self.registrations = registrations
        self.forgetSession = forgetSession
        self.logger = logger
    }

    public func run() async throws {
        let updates = clients.updates()
        var previous = clients.table
        for await table in updates.cancelOnGracefulShutdown() {
            let change = ClientTableChange(from: previous, to: table)
            previous = table
            await apply(change)
        }
    }

    private func apply(_ change: ClientTableChange) async {
        for record in change.removed {
            forgetSession(record.clientId)
            await registrations.forgetCached(record.bit)
            logger.info("client removed: its fetch session and cached registrations are forgotten", metadata: [
                "client": "\(record.clientId)", "bit": "\(record.bit.number)",
            ])
        }
        for record in change.disabled {
            logger.info("client disabled: its requests are refused", metadata: ["client": "\(record.clientId)"])
        }
        for record in change.enabled {
            logger.info("client enabled", metadata: ["client": "\(record.clientId)"])
        }
    }
}

/// The difference between two readings of the clients table, as the servers act on it.
public struct ClientTableChange: Sendable, Equatable {
    /// Rows that are gone, or whose id now holds another bit (the old row, with the old bit).
    public var removed: [ClientRecord] = []
    /// Rows that were enabled (or new) and are now disabled.
    public var disabled: [ClientRecord] = []
    /// Rows that were disabled and are now enabled.
    public var enabled: [ClientRecord] = []

    /// Compares `old` with `new`, each ordered by bit in the result.
    public init(from old: [ClientRecord], to new: [ClientRecord]) {
        let current = Dictionary(new.map { ($0.clientId, $0) }, uniquingKeysWith: { $1 })
        let before = Dictionary(old.map { ($0.clientId, $0) }, uniquingKeysWith: { $1 })
        for record in old.sorted(by: { $0.bit < $1.bit }) {
            guard let now = current[record.clientId], now.bit == record.bit else {
                removed.append(record)
                continue
            }
            if !record.isDisabled && now.isDisabled { disabled.append(now) }
            if record.isDisabled && !now.isDisabled { enabled.append(now) }
        }
        for record in new.sorted(by: { $0.bit < $1.bit }) where record.isDisabled {
            if let was = before[record.clientId], was.bit == record.bit { continue }
            disabled.append(record)
        }
        disabled.sort { $0.bit < $1.bit }
    }
}
