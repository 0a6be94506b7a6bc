import ArborCore
import ArborEdge
import ArborTesting
import Foundation
import Testing

/// Trust roots files (issue 6): an unusable file is refused at configuration time, naming it.
@Suite struct EdgeTrustRootsTests {
    @Test func aMissingOrNonPEMFileIsRefusedNamingIt() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-roots-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = directory.appendingPathComponent("absent.pem").path
        let notPEM = directory.appendingPathComponent("notes.txt").path
        try "not a certificate".write(toFile: notPEM, atomically: true, encoding: .utf8)

        for (file, expected) in [(missing, "cannot read the trust roots file"), (notPEM, "holds no PEM certificate")] {
            let error = #expect(throws: EdgeError.self) {
                try EdgeConfiguration(servers: ["https://127.0.0.1:8443"], schema: Fixtures.retailSchema, trustRootsFile: file)
            }
            #expect(error?.code == .invalidConfiguration)
            #expect(error?.message.contains(file) == true && error?.message.contains(expected) == true, "\(error?.message ?? "")")
        }
    }

    @Test func withoutAFileTheSystemRootsAreUsed() throws {
        let configuration = try EdgeConfiguration(servers: ["https://127.0.0.1:8443"], schema: Fixtures.retailSchema)
        #expect(configuration.trustRootsFile == nil && configuration.trustRoots == nil)
        #expect(Edge.failoverClientConfiguration().tlsConfiguration == nil)
    }
}
