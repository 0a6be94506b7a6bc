import ArborTesting
import Foundation

/// A throwaway certificate authority and a server certificate for IP 127.0.0.1 and DNS
/// localhost, made with the `openssl` command line in a temporary directory.
struct TestCertificateAuthority {
    let directory: URL
    /// The CA certificate (PEM): what clients trust.
    var caFile: String { directory.appendingPathComponent("ca.pem").path }
    /// The server's certificate (PEM), signed by the CA.
    var certificateFile: String { directory.appendingPathComponent("server.pem").path }
    /// The server's unencrypted private key (PEM).
    var keyFile: String { directory.appendingPathComponent("server.key").path }

    static let openssl = "/usr/bin/openssl"

    /// Creates the CA and the server certificate.
    static func make() async throws -> TestCertificateAuthority {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let authority = TestCertificateAuthority(directory: directory)
        let path = { (name: String) in directory.appendingPathComponent(name).path }
        let extensions = path("server.ext")
        try """
            subjectAltName = IP:127.0.0.1, DNS:localhost
            basicConstraints = CA:FALSE
            keyUsage = digitalSignature, keyEncipherment
            extendedKeyUsage = serverAuth
            """.write(toFile: extensions, atomically: true, encoding: .utf8)
        try await run([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", path("ca.key"),
            "-out", authority.caFile, "-days", "2", "-subj", "/CN=Arbor Test CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ])
        try await run([
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", authority.keyFile,
            "-out", path("server.csr"), "-subj", "/CN=localhost",
        ])
        try await run([
            "x509", "-req", "-in", path("server.csr"), "-CA", authority.caFile, "-CAkey", path("ca.key"), "-CAcreateserial",
            "-out", authority.certificateFile, "-days", "2", "-extfile", extensions,
        ])
        return authority
    }

    /// Issues a client certificate (common name `commonName`) signed by this CA; returns the
    /// certificate and key files.
    func issueClientCertificate(commonName: String) async throws -> (certificateFile: String, keyFile: String) {
        let path = { (name: String) in directory.appendingPathComponent(name).path }
        let base = "client-\(commonName)"
        let extensions = path("\(base).ext")
        try """
            basicConstraints = CA:FALSE
            keyUsage = digitalSignature
            extendedKeyUsage = clientAuth
            """.write(toFile: extensions, atomically: true, encoding: .utf8)
        try await Self.run([
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", path("\(base).key"),
            "-out", path("\(base).csr"), "-subj", "/O=Arbor Test/CN=\(commonName)",
        ])
        try await Self.run([
            "x509", "-req", "-in", path("\(base).csr"), "-CA", caFile, "-CAkey", path("ca.key"), "-CAcreateserial",
            "-out", path("\(base).pem"), "-days", "2", "-extfile", extensions,
        ])
        return (path("\(base).pem"), path("\(base).key"))
    }

    /// Removes the directory.
    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    private static func run(_ arguments: [String]) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: openssl)
        process.arguments = arguments
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        guard status == 0 else {
            let message = String(data: errors.fileHandleForReading.readDataToEndOfFile(), encoding: .utf8) ?? ""
            throw TestStoreError("openssl \(arguments.prefix(2).joined(separator: " ")) failed (\(status)): \(message)")
        }
    }
}
