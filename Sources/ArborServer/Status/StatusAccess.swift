import Foundation

/// Who may read a site's status page and `status.json` (Docs/security.md): it shows the
/// clients table, the slices of connected clients and recent errors, so it is an operator's
/// page. A request from loopback (the operator on the machine, or through an SSH tunnel) is
/// answered; from elsewhere only a client of the clients table listed in the site's
/// `statusClients` setting, authenticated as for any request or by HTTP Basic `id:secret`
/// (so a browser can log in).
enum StatusAccess {
    /// Whether `path` is one of the status paths.
    static func isStatusPath(_ path: String, paths: ServicePaths) -> Bool {
        path == paths.statusPage || path == paths.statusJSON
    }

    /// Whether `address` (an IP address without port) is a loopback address.
    static func isLoopback(_ address: String?) -> Bool {
        guard let address else { return false }
        if address == "::1" || address == "0:0:0:0:0:0:0:1" { return true }
        let v4 = address.lowercased().hasPrefix("::ffff:") ? String(address.dropFirst(7)) : address
        return v4.hasPrefix("127.") && v4.split(separator: ".").count == 4
    }

    /// The client id and secret of an `Authorization: Basic …` header; nil when there is none
    /// or it is no Basic credential.
    static func basicCredentials(_ header: String?) -> (clientId: String, secret: String)? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic",
              let data = Data(base64Encoded: String(parts[1]).trimmingCharacters(in: .whitespaces)),
              let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":")
        else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }
}
