import Foundation
import NIOCore

/// What to tell the operator when the listener cannot be opened: the address and port, and the
/// cause in words (`bind(…) failed: Address already in use (errno: 98)` names neither).
public enum ListenFailure {
    /// A message for a bind error, or nil when `error` is not one of those.
    public static func message(_ error: any Error, host: String, port: Int) -> String? {
        guard let io = error as? IOError else { return nil }
        let address = "\(host):\(port)"
        switch io.errnoCode {
        case EADDRINUSE:
            return "cannot listen on \(address): the address is already in use (another arbor serve, or another program, listens there): stop it, or set another port (port, ARBOR_PORT or --port)"
        case EACCES:
            return "cannot listen on \(address): permission denied (ports below 1024 need privileges): use a port of 1024 or more"
        case EADDRNOTAVAIL:
            return "cannot listen on \(address): no interface of this machine has that address: set host to one of its addresses, or 0.0.0.0"
        default:
            return nil
        }
    }
}
