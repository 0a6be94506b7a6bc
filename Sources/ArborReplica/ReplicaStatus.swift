import ArborServer
import Synchronization

/// How a replica's link to its father stands.
public struct ReplicaStatus: Hashable, Sendable {
    /// The father answered both halves of the link recently.
    public var connected: Bool
    /// The father said it is connected to the center.
    public var connectedToCenter: Bool
    /// Local transactions the father has not acknowledged yet.
    public var pendingUploads: Int64
    /// Father log sequences not applied here yet, as the father last answered; nil before.
    public var lag: Int64?
    /// The link's own words (`connected`, `disconnected`, `refused: …`), nil before its first report.
    public var linkStatus: String?
}

/// Collects the father link's status reports (it reports through `ControlAndParams`).
final class ReplicaControl: ControlAndParams {
    private let linkStatus = Mutex<String?>(nil)
    let reports: AsyncStream<String>
    private let continuation: AsyncStream<String>.Continuation

    init() {
        (reports, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(16))
    }

    var latestLinkStatus: String? { linkStatus.withLock { $0 } }

    func finish() { continuation.finish() }

    func statusChanged(subsystem: String, status: String) async {
        guard subsystem == FatherLink.statusSubsystem else { return }
        linkStatus.withLock { $0 = status }
        continuation.yield(status)
    }

    func exceptionalCondition(_ name: String, entered: Bool, detail: String) async {}
    func event(_ name: String, detail: String) async {}
    func count(_ counter: String, by amount: Int) async {}
    func shouldAbortSnapshot(clientId: String) async -> Bool { false }
}
