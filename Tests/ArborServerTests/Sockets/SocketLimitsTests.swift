@testable import arbor
@testable import ArborServer
import Testing

/// The pure parts of issue 11 items 5 and 6: the connection gate, the settings' checks, the body budget.
struct SocketLimitsTests {
    @Test("the gate serves up to its maximum, refuses beyond it with rate-limited reports, and serves again after a close")
    func connectionGate() {
        var gate = ConnectionGate(maximum: 2, warningInterval: .seconds(10))
        let start = ContinuousClock.now
        #expect(gate.accepted(at: start) == .serve)
        #expect(gate.accepted(at: start) == .serve)
        #expect(gate.accepted(at: start) == .refuse(report: 1))
        #expect(gate.accepted(at: start + .seconds(1)) == .refuse(report: nil))
        #expect(gate.accepted(at: start + .seconds(2)) == .refuse(report: nil))
        #expect(gate.accepted(at: start + .seconds(11)) == .refuse(report: 3))
        gate.closed()
        #expect(gate.open == 1)
        #expect(gate.accepted(at: start + .seconds(12)) == .serve)
    }

    @Test("maximumConnections: the default fits the descriptor limit, an explicit one beyond it is refused with what to do")
    func descriptorLimit() throws {
        var settings = ServeConfiguration()
        #expect(try settings.validatedSockets(descriptorLimit: 1024).maximumConnections == 900)
        #expect(try settings.validatedSockets(descriptorLimit: 256).maximumConnections == 256 - SocketLimits.reservedDescriptors)
        #expect(try settings.validatedSockets(descriptorLimit: nil).maximumConnections == 900)
        settings.apply(flags: ServeFlags(maximumConnections: 5000))
        let error = try #require(throws: ServeConfigurationError.self) { try settings.validatedSockets(descriptorLimit: 1024) }
        #expect(error.description.contains("LimitNOFILE"))
        #expect(try settings.validatedSockets(descriptorLimit: 65_536).maximumConnections == 5000)
    }

    @Test("socket settings are read from the environment and checked")
    func settingsChecked() throws {
        var settings = ServeConfiguration()
        try settings.apply(environment: ["ARBOR_IDLE_TIMEOUT_SECONDS": "5", "ARBOR_MAXIMUM_HEADER_BYTES": "8192"])
        let limits = try settings.validatedSockets(descriptorLimit: nil)
        #expect(limits.idleTimeout == .seconds(5))
        #expect(limits.maximumHeaderBytes == 8192)
        settings.idleTimeoutSeconds = 0
        #expect(throws: ServeConfigurationError.self) { try settings.validatedSockets(descriptorLimit: nil) }
        settings = ServeConfiguration()
        settings.requestBodyBudgetBytes = settings.maximumTransactionBytes - 1
        #expect(throws: ServeConfigurationError.self) { try settings.validatedSockets(descriptorLimit: nil) }
    }

    @Test("the body budget takes what fits and gives it back")
    func bodyBudget() {
        let budget = RequestBodyBudget(capacity: 100)
        #expect(budget.reserve(60))
        #expect(!budget.reserve(41))
        #expect(budget.reserve(40))
        #expect(!budget.reserve(1))
        budget.release(60)
        #expect(budget.inUse == 40)
        #expect(budget.reserve(60))
    }
}
