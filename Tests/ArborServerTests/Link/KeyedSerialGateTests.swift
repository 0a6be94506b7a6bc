@testable import ArborServer
import Synchronization
import Testing

/// A mutable value shared by concurrent test tasks.
private final class Shared<Value: Sendable>: Sendable {
    let state: Mutex<Value>

    init(_ value: Value) {
        state = Mutex(value)
    }
}

@Suite struct KeyedSerialGateTests {
    @Test func oneAtATimePerKeyInArrivalOrder() async throws {
        let gate = KeyedSerialGate()
        let log = Shared<[String]>([])
        let running = Shared<[String: Int]>([:])
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<20 {
                let key = n % 2 == 0 ? "even" : "odd"
                group.addTask {
                    try await gate.run(key) {
                        let overlapping = running.state.withLock { running -> Bool in
                            running[key, default: 0] += 1
                            return running[key]! > 1
                        }
                        #expect(!overlapping, "two bodies of key \(key) ran at once")
                        try await Task.sleep(for: .milliseconds(2))
                        running.state.withLock { $0[key, default: 0] -= 1 }
                        log.state.withLock { $0.append(key) }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(log.state.withLock { $0.count } == 20)
        await #expect(throws: CancellationError.self) {
            try await gate.run("even") { throw CancellationError() }
        }
        let after = try await gate.run("even") { 7 }
        #expect(after == 7, "a failed body frees its key")
    }
}
