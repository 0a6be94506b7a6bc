/// The release of Arbor this build is, as `arbor --version` prints it. Not the protocol
/// version edges and servers speak (``ArborProtocol/version``), nor the delta-buffer format.
public enum ArborVersion {
    /// Semantic version of the release; raise it when a release is cut.
    public static let current = "0.1.0"

    /// One line for `arbor --version`: the release and the protocol it speaks.
    public static var line: String { "arbor \(current) (protocol \(ArborProtocol.version))" }
}
