@testable import arbor
import ArborEdge
import ArborServer
import Foundation
import Testing

/// The TLS settings of `arbor serve` (issue 6): TLS or explicit plain HTTP, never neither.
@Suite struct ServeConfigurationTLSTests {
    @Test func neitherTLSFilesNorPlainHTTPIsRefusedNamingBothChoices() throws {
        let configuration = ServeConfiguration()
        let error = #expect(throws: ServeConfigurationError.self) { try configuration.listenerTLS() }
        let message = error?.description ?? ""
        #expect(message.contains("tlsCertificateFile") && message.contains("tlsKeyFile") && message.contains("plainHTTP"), "\(message)")
        #expect(message.contains("ARBOR_TLS_CERTIFICATE_FILE") && message.contains("--plain-http"), "\(message)")
    }

    @Test func explicitPlainHTTPServesWithoutTLS() throws {
        var configuration = ServeConfiguration()
        try configuration.apply(environment: ["ARBOR_PLAIN_HTTP": "true"])
        #expect(configuration.plainHTTP)
        #expect(try configuration.listenerTLS() == nil)
    }

    @Test func onlyOneOfTheTwoFilesIsRefused() throws {
        var onlyCertificate = ServeConfiguration()
        onlyCertificate.tlsCertificateFile = "/etc/arbor/server.pem"
        let missingKey = #expect(throws: ServeConfigurationError.self) { try onlyCertificate.listenerTLS() }
        #expect(missingKey?.description.contains("tlsKeyFile is not") == true, "\(missingKey?.description ?? "")")

        var onlyKey = ServeConfiguration()
        try onlyKey.apply(environment: ["ARBOR_TLS_KEY_FILE": "/etc/arbor/server.key"])
        let missingCertificate = #expect(throws: ServeConfigurationError.self) { try onlyKey.listenerTLS() }
        #expect(missingCertificate?.description.contains("tlsCertificateFile is not") == true, "\(missingCertificate?.description ?? "")")
    }

    @Test(.timeLimit(.minutes(1)))
    func validFilesGiveTLSAndTogetherWithPlainHTTPAreRefused() async throws {
        let authority = try await TestCertificateAuthority.make()
        defer { authority.remove() }
        var configuration = try ServeConfiguration(
            file: Data(#"{"tlsCertificateFile": "\#(authority.certificateFile)", "tlsKeyFile": "\#(authority.keyFile)"}"#.utf8), named: "site.json"
        )
        let tls = try configuration.listenerTLS()
        #expect(tls?.certificateFile == authority.certificateFile)
        configuration.plainHTTP = true
        let both = #expect(throws: ServeConfigurationError.self) { try configuration.listenerTLS() }
        #expect(both?.description.contains("plainHTTP is set together with") == true, "\(both?.description ?? "")")
    }

    @Test(.timeLimit(.minutes(1)))
    func unreadableOrWrongFilesAreNamedWithWhatToDo() async throws {
        let authority = try await TestCertificateAuthority.make()
        defer { authority.remove() }
        let missing = authority.directory.appendingPathComponent("absent.key").path
        let notPEM = authority.directory.appendingPathComponent("server.ext").path
        let cases: [(certificate: String, key: String, expected: [String])] = [
            (authority.certificateFile, missing, ["tlsKeyFile", missing, "cannot read", "readable"]),
            (missing, authority.keyFile, ["tlsCertificateFile", missing, "cannot read"]),
            (notPEM, authority.keyFile, ["tlsCertificateFile", notPEM, "no PEM certificate"]),
            (authority.certificateFile, notPEM, ["tlsKeyFile", notPEM, "no usable PEM private key"]),
            // The CA's key does not belong to the server's certificate.
            (authority.certificateFile, authority.directory.appendingPathComponent("ca.key").path, ["does not match", authority.certificateFile]),
        ]
        for (certificate, key, expected) in cases {
            var configuration = ServeConfiguration()
            configuration.tlsCertificateFile = certificate
            configuration.tlsKeyFile = key
            let error = #expect(throws: ServeConfigurationError.self) { try configuration.listenerTLS() }
            for part in expected { #expect(error?.description.contains(part) == true, "\(error?.description ?? "") lacks \(part)") }
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func fatherCAFileIsReadOrNamed() async throws {
        let authority = try await TestCertificateAuthority.make()
        defer { authority.remove() }
        var configuration = ServeConfiguration()
        #expect(try configuration.fatherTrustRoots() == nil)
        try configuration.apply(environment: ["ARBOR_FATHER_CA_FILE": authority.caFile])
        #expect(try configuration.fatherTrustRoots()?.certificates.count == 1)
        configuration.fatherCAFile = authority.keyFile
        let error = #expect(throws: ServeConfigurationError.self) { try configuration.fatherTrustRoots() }
        #expect(error?.description.hasPrefix("fatherCAFile: ") == true && error?.description.contains(authority.keyFile) == true, "\(error?.description ?? "")")
    }
}
