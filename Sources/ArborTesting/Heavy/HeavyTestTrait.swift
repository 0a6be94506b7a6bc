import Foundation
import Testing

/// `@Suite(.heavy)` / `@Test(.heavy)`: each test CASE (the sqlite and postgres cases of one
/// parameterized test separately; every test of a suite separately) runs holding a permit of
/// `HeavyTestGate.shared`, so at most `ARBOR_TEST_HEAVY_PARALLELISM` (default 2) heavy cases
/// run at once in the whole test process.
///
/// A case's own time bounds start once it holds the permit. Swift Testing's `.timeLimit`
/// counts the wait for the permit too, so heavy tests take their hang guard from
/// `.heavy(timeLimit:)` instead, which starts after the permit is taken.
public struct HeavyTestTrait: TestTrait, SuiteTrait, TestScoping {
    /// The longest a case may run once it holds the permit; nil for no limit.
    public var timeLimit: Duration?

    /// Applies to every test inside a suite marked heavy (each then gated per case).
    public var isRecursive: Bool { true }

    /// The permit the current task runs under (one fresh id per gated case), nil outside
    /// heavy cases.
    @TaskLocal public static var currentPermit: UUID?

    /// Gates test cases only: never a whole suite, never a test's outer scope around its cases.
    public func scopeProvider(for test: Test, testCase: Test.Case?) -> HeavyTestTrait? {
        testCase == nil ? nil : self
    }

    public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        // A heavy test inside a heavy suite sees the trait twice; take one permit, not two.
        if Self.currentPermit != nil { return try await Self.run(function, timeLimit: timeLimit) }
        try await HeavyTestGate.shared.withPermit {
            try await Self.$currentPermit.withValue(UUID()) {
                try await Self.run(function, timeLimit: timeLimit)
            }
        }
    }

    /// Runs `function`, recording an issue and cancelling it if it outlives `timeLimit`.
    public static func run(_ function: @Sendable () async throws -> Void, timeLimit: Duration?) async throws {
        guard let timeLimit else { return try await function() }
        try await withoutActuallyEscaping(function) { function in
            try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    try await function()
                    return true
                }
                group.addTask {
                    do {
                        try await Task.sleep(for: timeLimit)
                        return false
                    } catch {
                        return true  // cancelled: the body ended first
                    }
                }
                let bodyEnded = try await group.next() ?? true
                group.cancelAll()
                guard !bodyEnded else { return }
                Issue.record("time limit of \(timeLimit) exceeded after taking the heavy-test permit")
                // Wait for the cancelled body to end before the permit is given back.
                while (try? await group.next()) != nil {}
            }
        }
    }
}

extension Trait where Self == HeavyTestTrait {
    /// Gates each case of this test (or of every test in this suite) on `HeavyTestGate.shared`.
    public static var heavy: Self { HeavyTestTrait(timeLimit: nil) }

    /// `.heavy` with a hang guard that starts once the case holds its permit.
    public static func heavy(timeLimit: Duration) -> Self { HeavyTestTrait(timeLimit: timeLimit) }
}
