import ArborServer
import ServiceLifecycle
import UnixSignals

/// Makes the father link retry at once on SIGHUP (`kill -HUP`, `systemctl reload`), instead of
/// after its pause (Docs/operator-guide.md, "Making a link retry now"). Without a link (at the
/// center) SIGHUP is only ignored, never the end of the process.
struct LinkRetrySignal: Service {
    let link: FatherLink?

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            link?.retryNow()
        }
    }
}

extension LinkRetrySignal: CustomStringConvertible {
    var description: String { "LinkRetrySignal (SIGHUP: the father link retries now)" }
}
