import HummingbirdCore
import HummingbirdTLS
import NIOCore

extension SiteApplication {
    /// The listener: HTTP/1 (over TLS when configured) with the idle timeout and header limit
    /// of ``sockets``, inside a ``GuardedHTTPChannel`` that caps connections and answers
    /// parser refusals in JSON.
    func guardedServer() throws -> HTTPServerBuilder {
        let sockets = sockets, tls = tls, context = context
        let counter = ConnectionCounter(maximum: sockets.maximumConnections)
        // Partial header bytes are no activity to Hummingbird's idle timer, so it also bounds
        // the time to send a request head (slowloris) and the gap between body parts.
        let http1 = HTTP1Channel.Configuration(
            idleTimeout: TimeAmount(sockets.idleTimeout),
            httpDecoderConfiguration: .init(maxHeaderFieldSize: sockets.maximumHeaderBytes, maxHeaderListSize: sockets.maximumHeaderBytes)
        )
        if let tls {
            _ = try TLSChannel(HTTP1Channel(responder: { _, _, _ in }, configuration: http1), tlsConfiguration: tls)
        }
        return HTTPServerBuilder { responder in
            let base = HTTP1Channel(responder: responder, configuration: http1)
            func guarded<Base: ServerChildChannel>(_ channel: Base) -> GuardedHTTPChannel<Base> {
                GuardedHTTPChannel(
                    base: channel, counter: counter, siteName: context.siteName, maximumHeaderBytes: sockets.maximumHeaderBytes,
                    connectedToCenter: context.connectedToCenter
                )
            }
            if let tls { return guarded(try TLSChannel(base, tlsConfiguration: tls)) }
            return guarded(base)
        }
    }
}

extension TimeAmount {
    /// The duration, to the nanosecond.
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
