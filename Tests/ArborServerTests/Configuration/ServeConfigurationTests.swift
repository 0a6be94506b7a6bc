import ArborServer
import Foundation
import Testing

@Suite struct ServeConfigurationTests {
    @Test func fileThenEnvironmentThenFlagsLaterWins() throws {
        var configuration = ServeConfiguration()
        try configuration.apply(file: Data(#"{"database": "sqlite:/a.sqlite", "port": 9000, "servers": ["delta"], "site": "east"}"#.utf8), named: "site.json")
        try configuration.apply(environment: ["ARBOR_PORT": "9100", "ARBOR_USE_REGISTRATION": "false", "UNRELATED": "x"])
        try configuration.set("site", "west", source: "--site")
        #expect(configuration.database == "sqlite:/a.sqlite")
        #expect(configuration.port == 9100)
        #expect(configuration.servers == ["delta"])
        #expect(configuration.useRegistration == false)
        #expect(configuration.site == "west")
        let valid = try configuration.validated()
        #expect(valid.servers == .delta)
        #expect(valid.settings.useRegistration == false)
    }

    @Test(arguments: [
        ("database", "mysql://x", "database:"),
        ("port", "70000", "port 70000"),
        ("servers", "delta,proxy", "'proxy' is not a server"),
        ("tablePrefix", "Bad-Prefix", "tablePrefix"),
        ("instance", "a/b", "instance 'a/b'"),
        ("site", "bad site", "site 'bad site'"),
    ])
    func invalidSettingsAreNamed(key: String, value: String, expected: String) throws {
        var configuration = ServeConfiguration()
        try configuration.set("database", "sqlite:/tmp/x.sqlite", source: "test")
        try configuration.set(key, value, source: "test")
        #expect(throws: ServeConfigurationError.self) { try configuration.validated() }
        do {
            _ = try configuration.validated()
        } catch {
            #expect(error.description.contains(expected), "message was: \(error.description)")
        }
    }

    @Test func missingDatabaseSaysWhereToSetIt() {
        #expect(throws: ServeConfigurationError.self) { try ServeConfiguration().validated() }
        do { _ = try ServeConfiguration().validated() } catch { #expect(error.description.contains("ARBOR_DATABASE_URL")) }
    }

    @Test func unknownKeysAndBadNumbersAreRefused() {
        var configuration = ServeConfiguration()
        #expect(throws: ServeConfigurationError.self) { try configuration.set("colour", "red", source: "file: 'colour'") }
        #expect(throws: ServeConfigurationError.self) { try configuration.set("port", "eighty", source: "--port") }
        #expect(throws: ServeConfigurationError.self) { try configuration.set("useRegistration", "maybe", source: "env") }
        #expect(throws: ServeConfigurationError.self) { try configuration.apply(file: Data("[1,2]".utf8), named: "x.json") }
    }

    @Test func aSonNeedsItsClientIdAndSliceAndTheCenterHasNoFather() throws {
        var son = ServeConfiguration()
        try son.apply(environment: ["ARBOR_DATABASE_URL": "sqlite:/b.sqlite", "ARBOR_SITE": "east", "ARBOR_FATHER_SERVERS": "http://hq:8080, http://hq2:8080"])
        #expect(son.fatherServers == ["http://hq:8080", "http://hq2:8080"])
        #expect(throws: ServeConfigurationError.self) { try son.validated() }
        try son.set("fatherClientId", "east", source: "test")
        try son.set("fatherSlice", "(east+all", source: "test")
        #expect(throws: ServeConfigurationError.self) { try son.validated() }
        try son.set("fatherSlice", "east+all", source: "test")
        _ = try son.validated()
        var center = son
        try center.set("site", "center", source: "test")
        #expect(throws: ServeConfigurationError.self) { try center.validated() }
    }
}
