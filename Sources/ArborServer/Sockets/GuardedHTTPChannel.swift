import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// Wraps the listener's HTTP/1 child channel (plain or TLS) with the socket bounds of issue 11:
/// a connection beyond ``SocketLimits/maximumConnections`` is closed as soon as it is accepted,
/// with a rate-limited warning, and a request NIO's parser refuses (headers too large, not
/// HTTP) gets the protocol's JSON error answer instead of a bare 400 (``ProtocolErrorAnswerer``).
struct GuardedHTTPChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base
    let counter: ConnectionCounter
    let siteName: String
    let maximumHeaderBytes: Int
    let connectedToCenter: @Sendable () -> Bool

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let decision = counter.accepted()
        if decision == .serve {
            // Counted until it closes, whatever happens to its setup.
            let counter = counter
            channel.closeFuture.whenComplete { _ in counter.closed() }
        }
        let siteName = siteName, maximumHeaderBytes = maximumHeaderBytes, connectedToCenter = connectedToCenter
        return base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            switch decision {
            case .serve:
                let decoder = try channel.pipeline.syncOperations.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
                try channel.pipeline.syncOperations.addHandler(
                    ProtocolErrorAnswerer(siteName: siteName, maximumHeaderBytes: maximumHeaderBytes, connectedToCenter: connectedToCenter), position: .after(decoder)
                )
            case .refuse(let report):
                if let report {
                    logger.warning(
                        "refused \(report) connection(s): \(counter.maximum) are open (setting maximumConnections); raise it and LimitNOFILE, or find the client holding them",
                        metadata: ["peer": "\(channel.remoteAddress?.description ?? "?")"]
                    )
                }
                channel.close(promise: nil)
            }
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

/// The listener's ``ConnectionGate``, shared by every accepted connection.
final class ConnectionCounter: Sendable {
    private let gate: Mutex<ConnectionGate>
    let maximum: Int

    init(maximum: Int) {
        self.maximum = maximum
        gate = Mutex(ConnectionGate(maximum: maximum))
    }

    func accepted() -> ConnectionGate.Decision {
        let now = ContinuousClock.now
        return gate.withLock { $0.accepted(at: now) }
    }

    func closed() {
        gate.withLock { $0.closed() }
    }

    /// The connections being served now.
    var open: Int { gate.withLock { $0.open } }
}
