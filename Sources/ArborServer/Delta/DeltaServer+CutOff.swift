import ArborCore
import ArborStore

extension DeltaServer {
    /// Waits for a transaction after `sequence` (up to `timeout`), ending early when the client
    /// admitted as `record` is cut off in the clients table (§2.7) or the task is cancelled.
    func waitForLogOrCutOff(after sequence: Int64, timeout: Duration, watching record: ClientRecord?) async {
        let logTail = context.logTail
        guard let record else {
            _ = await logTail.waitForSequence(after: sequence, timeout: timeout)
            return
        }
        let clients = context.clients
        await withTaskGroup(of: Void.self) { group in
            group.addTask { _ = await logTail.waitForSequence(after: sequence, timeout: timeout) }
            group.addTask { _ = await clients.waitForCutOff(of: record) }
            await group.next()
            group.cancelAll()
        }
    }

    /// Whether a fetch must stop because its client was cut off while it ran: a disabled client
    /// gets `ClientDisabled`, a removed registered client `UnknownClient` (its registrations are
    /// gone with its bit); a removed client fetching unregistered just gets the answer so far
    /// (true), as any client not in the table may fetch unregistered.
    func servedNoLonger(_ record: ClientRecord?, registered: Bool) throws(ServerError) -> Bool {
        guard let record, let cutOff = context.clients.cutOff(of: record) else { return false }
        switch cutOff {
        case .disabled:
            throw ServerError(
                .clientDisabled,
                "client '\(record.clientId)' was disabled at site '\(context.siteName)' during its fetch: ask the operator to enable it")
        case .removed where registered:
            throw ServerError(
                .unknownClient,
                "client '\(record.clientId)' was removed from the clients table of site '\(context.siteName)' during its fetch: ask the operator to add it")
        case .removed:
            return true
        }
    }
}
