import ArborCore
import ArborServer
import ArborStore

extension ServeConfiguration {
    /// The smallest allowed `maximumTransactionBytes`: room for a few ordinary entities.
    static let minimumTransactionBytes = 64 << 10
    /// The largest allowed `maximumTransactionBytes`: the delta-buffer format's length is a u32,
    /// and a request body is held in memory whole.
    static let largestTransactionBytes = 1 << 30

    /// `maximumTransactionBytes` and `maximumClockSkewSeconds`, checked.
    func validatedLimits() throws(ServeConfigurationError) -> WriteLimits {
        guard (Self.minimumTransactionBytes...Self.largestTransactionBytes).contains(maximumTransactionBytes) else {
            throw ServeConfigurationError(
                "maximumTransactionBytes must be between \(Self.minimumTransactionBytes) and \(Self.largestTransactionBytes), got \(maximumTransactionBytes)"
            )
        }
        guard (1...86_400).contains(maximumClockSkewSeconds) else {
            throw ServeConfigurationError("maximumClockSkewSeconds must be between 1 and 86400 (a day), got \(maximumClockSkewSeconds)")
        }
        return WriteLimits(maximumTransactionBytes: maximumTransactionBytes, maximumClockSkewMicroseconds: maximumClockSkewSeconds * 1_000_000)
    }
}
