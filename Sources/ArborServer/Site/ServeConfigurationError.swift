/// A configuration problem, with a message naming the setting (and where it came from).
/// The executable reads and checks the settings; libraries throw it from the pure checks and
/// file loads (TLS, logging) it calls.
public struct ServeConfigurationError: Error, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
