import Foundation

/// The databases integration tests may use. Only tests read the environment, never libraries.
public enum TestDatabases {
    /// `ARBOR_TEST_POSTGRES_URL`, set by `.ci/run` to a throwaway server; nil when unset.
    public static var postgresURL: String? {
        guard let value = ProcessInfo.processInfo.environment["ARBOR_TEST_POSTGRES_URL"], !value.isEmpty else { return nil }
        return value
    }
}
