@testable import arbor
import ArborServer
import Foundation
import Testing

/// The selective-distribution settings of `arbor serve` (§8.3).
@Suite struct ServeConfigurationSelectiveDistributionTests {
    private func branch(_ environment: [String: String]) throws -> ServeConfiguration {
        var configuration = try ServeConfiguration(
            file: Data(#"{"database": "sqlite:/b.sqlite", "site": "branch", "fatherServers": ["http://father:8080"], "fatherClientId": "branch"}"#.utf8), named: "branch.json"
        )
        try configuration.apply(environment: environment)
        return configuration
    }

    private func message(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func theEnvironmentTurnsItOnWithFixedTopicsAndALife() throws {
        let configuration = try branch([
            "ARBOR_SELECTIVE_DISTRIBUTION": "true", "ARBOR_FIXED_TOPICS": "all-branches, prices", "ARBOR_UNUSED_TOPICS_LIFE_MINUTES": "0.5",
        ])
        let selective = try #require(try configuration.validated().settings.selectiveDistribution)
        #expect(selective.fixedTopics == ["all-branches", "prices"])
        #expect(selective.unusedTopicsLife == .seconds(30))
        #expect(try branch(["ARBOR_FATHER_SLICE": "east"]).validated().settings.selectiveDistribution == nil, "off by default")
        #expect(try branch(["ARBOR_SELECTIVE_DISTRIBUTION": "true"]).validated().settings.selectiveDistribution?.unusedTopicsLife == .seconds(600))
    }

    @Test func onlyAProxyWithAFatherAndWithoutAFatherSliceMayUseIt() throws {
        var center = ServeConfiguration()
        try center.apply(environment: ["ARBOR_DATABASE_URL": "sqlite:/c.sqlite", "ARBOR_SELECTIVE_DISTRIBUTION": "true"])
        #expect(message { _ = try center.validated() } == "selectiveDistribution: only a proxy site (site other than center) may use selective distribution")

        var orphan = try branch(["ARBOR_SELECTIVE_DISTRIBUTION": "true"])
        orphan.fatherServers = []
        #expect(message { _ = try orphan.validated() }?.contains("needs fatherServers") == true)

        let both = try branch(["ARBOR_SELECTIVE_DISTRIBUTION": "true", "ARBOR_FATHER_SLICE": "east"])
        #expect(message { _ = try both.validated() }?.hasPrefix("fatherSlice: not used with selectiveDistribution") == true)
        // Without it, a son still needs its slice.
        #expect(message { _ = try branch([:]).validated() }?.hasPrefix("fatherSlice:") == true)
    }

    @Test(arguments: [
        ("ARBOR_FIXED_TOPICS", "all branches", "fixedTopics: 'all branches'"),
        ("ARBOR_FIXED_TOPICS", "arbor.father", "fixedTopics: 'arbor.father'"),
        ("ARBOR_UNUSED_TOPICS_LIFE_MINUTES", "0", "unusedTopicsLifeMinutes must be a positive number"),
        ("ARBOR_UNUSED_TOPICS_LIFE_MINUTES", "soon", "ARBOR_UNUSED_TOPICS_LIFE_MINUTES must be a number"),
        ("ARBOR_SELECTIVE_DISTRIBUTION", "maybe", "must be true or false"),
    ])
    func badValuesAreNamed(variable: String, value: String, expected: String) throws {
        let text = message {
            var environment = ["ARBOR_SELECTIVE_DISTRIBUTION": "true"]
            environment[variable] = value
            _ = try branch(environment).validated()
        }
        #expect(text?.contains(expected) == true, "\(text ?? "no error")")
    }
}
