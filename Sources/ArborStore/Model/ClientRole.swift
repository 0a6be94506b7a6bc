/// What a client of the clients table is (issue 11 item 3): an application, or a son site
/// whose link uploads its own changes here. Only sons may upload (`…/delta/upload`,
/// `…/delta/upload-position`), and so only sons bring the reserved site topics (`#arbor.*`).
/// A son may also do everything an application does: its link downloads as a registered edge.
public enum ClientRole: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// An application's edge: fetches, loads, registers and appends.
    case application
    /// A son site's link: what an application may do, and uploads.
    case son

    /// Whether the client may upload a son's log (`…/delta/upload`, `…/delta/upload-position`).
    public var mayUpload: Bool { self == .son }

    /// The role a stored or typed name means: `application` or `son`, nil otherwise.
    public init?(name: String) {
        self.init(rawValue: name)
    }

    /// The names, for messages: `application|son`.
    public static var names: String { allCases.map(\.rawValue).joined(separator: "|") }

    public var description: String { rawValue }
}
