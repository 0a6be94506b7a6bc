import ArborServer
import Foundation
import Testing

/// The example configurations in `Deploy/` are valid `arbor serve` settings.
@Suite struct DeployFilesTests {
    static let deployDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Deploy")

    @Test(arguments: ["center.json", "branch.json"])
    func exampleConfigurationIsValid(file: String) throws {
        let data = try Data(contentsOf: Self.deployDirectory.appendingPathComponent(file))
        var configuration = ServeConfiguration()
        try configuration.apply(file: data, named: file)
        _ = try configuration.validated()
        #expect(configuration.advertisedURL != nil, "\(file) listens on a wildcard address and must name the URL edges use")
        #expect(configuration.tlsCertificateFile != nil && configuration.tlsKeyFile != nil, "\(file) shows TLS")
    }

    @Test func environmentExampleNamesOnlyKnownVariables() throws {
        let text = try String(contentsOf: Self.deployDirectory.appendingPathComponent("site.env.example"), encoding: .utf8)
        let names = text.split(separator: "\n").compactMap { line -> String? in
            let setting = line.hasPrefix("# ") ? line.dropFirst(2) : line[...]
            guard setting.hasPrefix("ARBOR_"), let equals = setting.firstIndex(of: "=") else { return nil }
            return String(setting[..<equals])
        }
        #expect(!names.isEmpty)
        for name in names where !LogSettings.environmentVariables.contains(name) {
            #expect(ServeConfiguration.environmentKeys[name] != nil, "\(name) is not a setting of arbor serve")
        }
    }
}
