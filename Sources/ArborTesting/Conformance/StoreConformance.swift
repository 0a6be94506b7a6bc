import ArborCore
import ArborStore
import Foundation

/// One storage conformance suite, run against every backend (STYLE.md practice 4): each check
/// opens its own fresh store and throws ``ConformanceFailure`` when the store misbehaves.
public enum StoreConformance {
    /// A named check.
    public struct Check: Sendable, CustomStringConvertible {
        public let name: String
        public let run: @Sendable (TestStores.Backend) async throws -> Void

        public var description: String { name }
    }

    /// A check on one backend: what a parameterized test runs.
    public struct Case: Sendable, CustomStringConvertible {
        public let backend: TestStores.Backend
        public let check: Check

        public var description: String { "\(backend): \(check.name)" }
    }

    /// Every check on every available backend.
    public static var cases: [Case] {
        TestStores.available.flatMap { backend in checks.map { Case(backend: backend, check: $0) } }
    }

    /// All checks.
    public static let checks: [Check] = installChecks + logChecks + entityChecks + inputChecks + clientChecks + stateChecks + serverChecks + trimChecks + proxyTopicChecks + counterChecks
        + fetchAcknowledgementChecks
        + schemaHistoryChecks
        + appendRequestChecks
        + manyRowChecks
}

/// A conformance violation.
public struct ConformanceFailure: Error, CustomStringConvertible {
    public let description: String
}

/// Throws a ``ConformanceFailure`` when `condition` is false.
func require(_ condition: Bool, _ message: @autoclosure () -> String, line: Int = #line) throws {
    if !condition { throw ConformanceFailure(description: "\(message()) (StoreConformance line \(line))") }
}

/// Runs `body`, which must throw a `StoreError` with `code`.
func requireStoreError<T>(_ code: StoreError.Code, _ what: String, line: Int = #line, _ body: () async throws -> T) async throws {
    do {
        _ = try await body()
    } catch let error as StoreError {
        try require(error.code == code, "\(what): expected \(code), got \(error.code): \(error.message)", line: line)
        return
    }
    throw ConformanceFailure(description: "\(what): expected a \(code) error, nothing was thrown (StoreConformance line \(line))")
}
