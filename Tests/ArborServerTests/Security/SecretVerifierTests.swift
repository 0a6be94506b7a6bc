@testable import ArborServer
import ArborCore
import ArborStore
import Dispatch
import Logging
import Synchronization
import Testing

/// The cached, backed-off, off-pool secret check (issue 11 item 4), without HTTP.
@Suite struct SecretVerifierTests {
    static func record(_ id: String, secret: String, disabled: Bool = false) -> ClientRecord {
        ClientRecord(clientId: id, bit: ClientBit(0)!, isDisabled: disabled, secretHash: ClientSecret.hash(secret, salt: ClientSecret.randomSalt(), iterations: 1_000))
    }

    /// A clock the test moves by hand.
    final class ManualTime: Sendable {
        let instant = Mutex(ContinuousClock.now)
        func advance(_ duration: Duration) { instant.withLock { $0 += duration } }
        var now: ContinuousClock.Instant { instant.withLock { $0 } }
    }

    static func verifier(free: Int = 2, time: ManualTime = ManualTime(), logs: LogLines = LogLines()) -> SecretVerifier {
        var settings = SecretVerificationSettings()
        settings.backoff.freeFailures = free
        return SecretVerifier(settings: settings, logger: Logger(label: "test.secrets", factory: { _ in logs }), now: { time.now })
    }

    @Test func aVerifiedSecretIsCachedAndAChangedSecretIsNotServedFromTheCache() async {
        let verifier = Self.verifier()
        let before = Self.record("shop", secret: "one")
        #expect(await verifier.check("one", for: before, peer: "10.0.0.1") == .verified)
        #expect(verifier.cache.contains("one", for: before))
        // The operator sets a new secret: the row's hash changes.
        var after = before
        after.secretHash = ClientSecret.hash("two", salt: ClientSecret.randomSalt(), iterations: 1_000)
        #expect(!verifier.cache.contains("one", for: after), "the old secret was served from the cache")
        #expect(await verifier.check("one", for: after, peer: "10.0.0.1") == .wrong)
        #expect(await verifier.check("two", for: after, peer: "10.0.0.1") == .verified)
        // The secret is removed: the row needs none, and the cache is not consulted.
        after.secretHash = nil
        #expect(!verifier.cache.contains("two", for: after))
        #expect(await verifier.check(nil, for: after, peer: nil) == .verified)
    }

    @Test func aDisabledClientIsNotServedFromTheCache() async {
        let verifier = Self.verifier()
        var shop = Self.record("shop", secret: "one")
        #expect(await verifier.check("one", for: shop, peer: nil) == .verified)
        shop.isDisabled = true
        #expect(!verifier.cache.contains("one", for: shop))
        #expect(verifier.cache.count == 0, "the entry of a disabled client is dropped")
        shop.isDisabled = false
        #expect(!verifier.cache.contains("one", for: shop), "re-enabling does not bring the entry back")
    }

    @Test func repeatedFailuresAreRefusedUncheckedUntilTheBackoffEnds() async {
        let time = ManualTime()
        let verifier = Self.verifier(free: 2, time: time)
        let shop = Self.record("shop", secret: "right")
        for _ in 0..<3 { #expect(await verifier.check("wrong", for: shop, peer: "10.0.0.7") == .wrong) }
        #expect(await verifier.check("right", for: shop, peer: "10.0.0.7") == .backedOff(retryAfter: .seconds(1)), "even the right secret is not checked while refused")
        do {
            try await verifier.verify("wrong", for: shop, peer: "10.0.0.7")
            Issue.record("a backed-off check was accepted")
        } catch {
            #expect(error.code == .tooManyAttempts && error.code.httpStatus == 429 && error.retryAfterSeconds == 1)
        }
        time.advance(.seconds(1))
        #expect(await verifier.check("right", for: shop, peer: "10.0.0.7") == .verified)
    }

    @Test func aCachedClientIsServedWhileItsPeerIsBackedOff() async {
        let verifier = Self.verifier(free: 0)
        let app = Self.record("app", secret: "app-secret"), shop = Self.record("shop", secret: "right")
        #expect(await verifier.check("app-secret", for: app, peer: "10.0.0.7") == .verified)
        #expect(await verifier.check("guess", for: shop, peer: "10.0.0.7") == .wrong)
        #expect(await verifier.check("guess", for: shop, peer: "10.0.0.7") != .wrong, "the peer is backed off")
        #expect(await verifier.check("app-secret", for: app, peer: "10.0.0.7") == .verified, "the legitimate client pays once")
    }

    @Test func failuresAreLoggedAsOneRateLimitedWarning() async {
        let logs = LogLines(), time = ManualTime()
        let verifier = Self.verifier(free: 1_000, time: time, logs: logs)
        let shop = Self.record("shop", secret: "right")
        for _ in 0..<30 { _ = await verifier.check("guess-xyz", for: shop, peer: "10.0.0.7") }
        #expect(logs.lines.count == 1, "\(logs.lines)")
        time.advance(.seconds(60))
        _ = await verifier.check("guess-xyz", for: shop, peer: "10.0.0.7")
        let lines = logs.lines
        #expect(lines.count == 2, "\(lines)")
        #expect(lines.allSatisfy { $0.level == .warning })
        #expect(lines.last?.message.contains("client 'shop' from 10.0.0.7: 30 failure(s)") == true, "\(lines)")
        #expect(!lines.contains { $0.message.contains("guess-xyz") }, "the secret is never logged")
    }

    @Test func aFullHashingQueueRefusesAtOnceAndCancelledWorkIsSkipped() async throws {
        let queue = SecretHashingQueue(threads: 1, maximumWaiting: 1)
        let gate = DispatchSemaphore(value: 0)
        let running = Task { await queue.submit { gate.wait(); return 1 } }
        let waiting = Task { await queue.submit { 2 } }
        let deadline = ContinuousClock.now + .seconds(60)
        while queue.inFlight < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(queue.inFlight == 2)
        #expect(await queue.submit { 3 } == nil, "a third check was queued beyond the bound")
        waiting.cancel()
        gate.signal()
        #expect(await running.value == 1)
        #expect(await waiting.value == nil, "cancelled waiting work ran")
        #expect(await queue.submit { 4 } == 4)
        #expect(queue.inFlight == 0)
    }
}

/// Captures log lines (a LogHandler for tests).
final class LogLines: LogHandler, Sendable {
    struct Line: Sendable {
        var level: Logger.Level
        var message: String
    }

    private let captured = Mutex<[Line]>([])
    var lines: [Line] { captured.withLock { $0 } }

    var metadata: Logger.Metadata {
        get { [:] }
        set {}
    }

    var logLevel: Logger.Level {
        get { .trace }
        set {}
    }

    subscript(metadataKey _: String) -> Logger.Metadata.Value? {
        get { nil }
        set {}
    }

    func log(event: LogEvent) {
        captured.withLock { $0.append(Line(level: event.level, message: event.message.description)) }
    }
}
