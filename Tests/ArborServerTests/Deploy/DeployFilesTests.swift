@testable import arbor
import ArborServer
import Foundation
import Testing

/// The files in `Deploy/` as an operator reads them: valid `arbor serve` settings, units that
/// create the database with the site's own settings, and every defect of issue 13 kept away.
@Suite struct DeployFilesTests {
    static let deployDirectory = DeployedSite.deployDirectory

    @Test(arguments: ["center.json", "branch.json"])
    func exampleConfigurationIsValid(file: String) throws {
        let data = try Data(contentsOf: Self.deployDirectory.appendingPathComponent(file))
        let configuration = try ServeConfiguration(file: data, named: file)
        _ = try configuration.validated()
        #expect(
            configuration.advertisedURL != nil || configuration.advertisedHost != nil,
            "\(file) listens on a wildcard address and must name the URL or host edges use"
        )
        #expect(configuration.tlsCertificateFile != nil && configuration.tlsKeyFile != nil, "\(file) shows TLS")
        #expect(configuration.schemaFile != nil, "\(file) names its schema, so arbor init in the unit installs that one")
    }

    @Test func theBranchNamesItsSecretFileAndEveryProcessItsOwnURL() throws {
        let branch = try ServeConfiguration(file: try Data(contentsOf: Self.deployDirectory.appendingPathComponent("branch.json")), named: "branch.json")
        #expect(branch.fatherClientSecretFile != nil)
        // arbor@.service runs one process per port on this configuration: a fixed URL would be announced by all.
        #expect(branch.advertisedURL == nil && branch.advertisedHost != nil)
    }

    @Test(arguments: ["arbor.service", "arbor@.service"])
    func unitInitializesFromTheSiteConfigurationAndBoundsDescriptors(unit: String) throws {
        let file = try SystemdUnit(file: Self.deployDirectory.appendingPathComponent(unit))
        #expect(file.values("ExecStartPre") == ["/usr/local/bin/arbor init --config /etc/arbor/site.json"])
        #expect(file.values("ExecStart").first?.hasPrefix("/usr/local/bin/arbor serve --config /etc/arbor/site.json") == true)
        #expect(file.values("EnvironmentFile") == ["/etc/arbor/site.env"], "required: install.sh creates it")
        #expect(file.values("LimitNOFILE").compactMap { Int($0) }.first ?? 0 >= 4096)
        #expect(file.values("User") == ["arbor"])
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
