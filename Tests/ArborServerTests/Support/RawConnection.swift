import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A plain blocking TCP connection to a loopback port, for tests that must speak bytes the
/// HTTP clients never send: idle sockets, slowloris headers, short bodies, huge headers.
final class RawConnection: @unchecked Sendable {
    private(set) var fd: Int32

    /// Connects to 127.0.0.1:`port`; nil when the connection is refused.
    init?(port: Int) {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            return nil
        }
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Sends the bytes; false when the peer has closed the connection.
    @discardableResult
    func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return false }
            sent += n
        }
        return true
    }

    /// Reads until the peer closes or `timeout` passes; answers what was read and whether the
    /// peer closed (end of stream or reset) within the time.
    func readUntilClosed(timeout: Duration) -> (data: Data, closed: Bool) {
        var data = Data()
        let deadline = ContinuousClock.now + timeout
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while ContinuousClock.now < deadline {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, 200)
            if ready < 0 { return (data, true) }
            if ready == 0 { continue }
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { return (data, true) }
            data.append(contentsOf: buffer[0..<n])
        }
        return (data, false)
    }

    /// Reads one HTTP response (head and a `Content-Length` body), or nil when none arrives
    /// within `timeout`.
    func readResponse(timeout: Duration) -> (status: Int, body: String)? {
        var data = Data()
        let deadline = ContinuousClock.now + timeout
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while ContinuousClock.now < deadline {
            if let text = String(data: data, encoding: .utf8), let end = text.range(of: "\r\n\r\n") {
                let head = text[..<end.lowerBound]
                let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                let body = String(text[end.upperBound...])
                if body.utf8.count >= length, let status = head.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) {
                    return (status, body)
                }
            }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, 200)
            if ready < 0 { return nil }
            if ready == 0 { continue }
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            data.append(contentsOf: buffer[0..<n])
        }
        guard let text = String(data: data, encoding: .utf8), let end = text.range(of: "\r\n\r\n"),
              let status = text[..<end.lowerBound].split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return nil }
        return (status, String(text[end.upperBound...]))
    }

    /// One status GET on a fresh connection: its HTTP status, nil when no answer came.
    static func statusGET(port: Int, timeout: Duration = .seconds(30)) -> Int? {
        guard let connection = RawConnection(port: port) else { return nil }
        guard connection.send("GET /arbor/1/delta HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n") else { return nil }
        return connection.readResponse(timeout: timeout)?.status
    }
}
