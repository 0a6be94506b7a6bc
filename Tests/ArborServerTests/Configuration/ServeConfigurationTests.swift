@testable import arbor
import ArborServer
import Foundation
import Testing

@Suite struct ServeConfigurationTests {
    private static func file(_ text: String) throws(ServeConfigurationError) -> ServeConfiguration {
        try ServeConfiguration(file: Data(text.utf8), named: "site.json")
    }

    private static func refusal(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "accepted"
        } catch {
            return "\(error)"
        }
    }

    @Test func fileThenEnvironmentThenFlagsLaterWins() throws {
        var configuration = try Self.file(#"{"database": "sqlite:/a.sqlite", "port": 9000, "servers": ["delta"], "site": "east", "host": "0.0.0.0"}"#)
        try configuration.apply(environment: ["ARBOR_PORT": "9100", "ARBOR_USE_REGISTRATION": "false", "ARBOR_SITE": "north", "UNRELATED": "x"])
        configuration.apply(flags: ServeFlags(site: "west", servers: ["cache", "delta"], plainHTTP: true))
        #expect(configuration.database == "sqlite:/a.sqlite")
        #expect(configuration.host == "0.0.0.0", "only the file gives it")
        #expect(configuration.port == 9100, "the environment over the file")
        #expect(configuration.useRegistration == false)
        #expect(configuration.site == "west", "a flag over the environment and the file")
        #expect(configuration.servers == ["cache", "delta"])
        #expect(configuration.plainHTTP)
        let valid = try configuration.validated()
        #expect(valid.servers == [.delta, .cache])
        #expect(valid.settings.useRegistration == false)
    }

    @Test func aFlagNotGivenKeepsTheEnvironmentsValue() throws {
        var configuration = try Self.file(#"{"plainHTTP": true, "idleTimeoutSeconds": 30}"#)
        try configuration.apply(environment: ["ARBOR_MAXIMUM_CONNECTIONS": "100"])
        configuration.apply(flags: ServeFlags())
        #expect(configuration.plainHTTP && configuration.idleTimeoutSeconds == 30 && configuration.maximumConnections == 100)
    }

    @Test func eachJSONTypeIsReadAsItsSettingsType() throws {
        let configuration = try Self.file(
            #"""
            {"port": 0, "retainedSequences": 5000000000, "unusedTopicsLifeMinutes": 0.5, "useRegistration": false,
             "fatherServers": ["http://a:1", "http://b:2"], "statusClients": [], "maximumConnections": null,
             "schemaFile": null, "fatherSlice": "east+all", "fixedTopics": ["all-branches"]}
            """#
        )
        #expect(configuration.port == 0)
        #expect(configuration.retainedSequences == 5_000_000_000)
        #expect(configuration.unusedTopicsLifeMinutes == 0.5)
        #expect(configuration.useRegistration == false)
        #expect(configuration.fatherServers == ["http://a:1", "http://b:2"])
        #expect(configuration.statusClients.isEmpty && configuration.maximumConnections == nil && configuration.schemaFile == nil)
        #expect(configuration.fatherSlice == "east+all" && configuration.fixedTopics == ["all-branches"])
    }

    @Test(arguments: [
        (#"{"port": "8080"}"#, #"site.json: 'port' must be a whole number (a JSON number, without quotes), e.g. 8080; got "8080""#),
        (#"{"port": 80.5}"#, "site.json: 'port' must be a whole number (a JSON number, without quotes), e.g. 8080; got 80.5"),
        (#"{"retainedSequences": 1e30}"#, "site.json: 'retainedSequences' must be a whole number"),
        (#"{"site": 7}"#, #"site.json: 'site' must be a JSON string, e.g. "branch-east"; got 7"#),
        (#"{"fatherClientId": ["east"]}"#, #"site.json: 'fatherClientId' must be a JSON string (or null for none), e.g. "branch-east"; got ["east"]"#),
        (#"{"plainHTTP": "true"}"#, #"site.json: 'plainHTTP' must be true or false (a JSON boolean, without quotes), e.g. false; got "true""#),
        (#"{"useRegistration": 1}"#, "site.json: 'useRegistration' must be true or false (a JSON boolean, without quotes), e.g. true; got 1"),
        (#"{"unusedTopicsLifeMinutes": "10"}"#, #"site.json: 'unusedTopicsLifeMinutes' must be a number (a JSON number, without quotes), e.g. 10; got "10""#),
        (#"{"fatherServers": "http://a:1,http://b:2"}"#, #"site.json: 'fatherServers' must be a JSON array of strings, e.g. ["https://hq.example.org:8080"]; got "http://a:1,http://b:2""#),
        (#"{"servers": ["delta", 2]}"#, #"site.json: 'servers' must be a JSON array of strings, e.g. ["delta", "cache"]; got ["delta",2]"#),
        (#"{"port": null}"#, "site.json: 'port' must be a whole number (a JSON number, without quotes), e.g. 8080; got null"),
    ])
    func aWrongJSONTypeIsRefusedNamingTheFileTheKeyTheTypeAndAnExample(text: String, expected: String) {
        let message = Self.refusal { _ = try Self.file(text) }
        #expect(message.hasPrefix(expected), "\(message)")
    }

    @Test func aListElementContainingACommaStaysOneElement() throws {
        let configuration = try Self.file(
            #"{"database": "sqlite:/b.sqlite", "site": "b", "fatherServers": ["http://f:1"], "fatherClientId": "b", "selectiveDistribution": true, "fixedTopics": ["a,b"]}"#
        )
        #expect(configuration.fixedTopics == ["a,b"])
        #expect(Self.refusal { _ = try configuration.validated() } == "fixedTopics: 'a,b' is not a topic (no * + ! ( ) , # or blanks, and not starting with 'arbor.')")
        let statusClients = try Self.file(#"{"database": "sqlite:/b.sqlite", "statusClients": ["ops,monitor"]}"#)
        #expect(statusClients.statusClients == ["ops,monitor"])
        #expect(Self.refusal { _ = try statusClients.validated() }.hasPrefix("statusClients: 'ops,monitor'"))
    }

    @Test func unknownKeysAreRefusedWithTheClosestKey() {
        #expect(Self.refusal { _ = try Self.file(#"{"prot": 8080}"#) } == "site.json: 'prot' is not a setting; did you mean 'port'?; see `arbor serve --help` for every key")
        #expect(Self.refusal { _ = try Self.file(#"{"colour": "red"}"#) } == "site.json: 'colour' is not a setting; see `arbor serve --help` for every key")
        #expect(Self.refusal { _ = try Self.file("[1,2]") }.contains("is not a JSON object"))
    }

    @Test(arguments: [
        ("ARBOR_PORT", "eighty", "environment ARBOR_PORT must be a whole number, got 'eighty'"),
        ("ARBOR_RETAINED_SEQUENCES", "1.5", "environment ARBOR_RETAINED_SEQUENCES must be a whole number, got '1.5'"),
        ("ARBOR_USE_REGISTRATION", "maybe", "environment ARBOR_USE_REGISTRATION must be true or false, got 'maybe'"),
        ("ARBOR_PLAIN_HTTP", "perhaps", "environment ARBOR_PLAIN_HTTP must be true or false, got 'perhaps'"),
        ("ARBOR_MAXIMUM_CONNECTIONS", "many", "environment ARBOR_MAXIMUM_CONNECTIONS must be a whole number, got 'many'"),
        ("ARBOR_UNUSED_TOPICS_LIFE_MINUTES", "soon", "environment ARBOR_UNUSED_TOPICS_LIFE_MINUTES must be a number, got 'soon'"),
    ])
    func aVariableIsReadByItsSettingsType(variable: String, value: String, expected: String) {
        var configuration = ServeConfiguration()
        #expect(Self.refusal { try configuration.apply(environment: [variable: value]) } == expected)
    }

    @Test func theEnvironmentSplitsListsAndEmptyMeansNone() throws {
        var configuration = try Self.file(#"{"schemaFile": "/etc/arbor/schema.json", "maximumConnections": 50}"#)
        try configuration.apply(environment: [
            "ARBOR_FATHER_SERVERS": "http://hq:8080, http://hq2:8080,", "ARBOR_SCHEMA": "", "ARBOR_MAXIMUM_CONNECTIONS": "", "ARBOR_PLAIN_HTTP": "YES",
        ])
        #expect(configuration.fatherServers == ["http://hq:8080", "http://hq2:8080"])
        #expect(configuration.schemaFile == nil && configuration.maximumConnections == nil && configuration.plainHTTP)
    }

    @Test(arguments: [
        ("database", "mysql://x", "database:"),
        ("port", "70000", "port 70000"),
        ("servers", "delta,proxy", "'proxy' is not a server"),
        ("tablePrefix", "Bad-Prefix", "tablePrefix"),
        ("instance", "a/b", "instance 'a/b'"),
        ("site", "bad site", "site 'bad site'"),
        ("retainedSequences", "0", "retainedSequences must be positive"),
        ("sonTimeoutSeconds", "1", "sonTimeoutSeconds must be between 2 and 3600, got 1"),
        ("appendRequestRetentionSeconds", "59", "appendRequestRetentionSeconds must be between 60"),
        ("maximumTransactionBytes", "1024", "maximumTransactionBytes must be between 65536"),
        ("maximumClockSkewSeconds", "0", "maximumClockSkewSeconds must be between 1 and 86400"),
        ("advertisedURL", "not a url", "advertisedURL must be a base URL"),
        ("advertisedHost", "https://east.example.org", "advertisedHost must be a host name"),
    ])
    func outOfRangeValuesAreNamed(key: String, value: String, expected: String) throws {
        var configuration = ServeConfiguration()
        configuration.database = "sqlite:/tmp/x.sqlite"
        let setting = try #require(ServeConfiguration.setting(named: key))
        try setting.field.apply(text: value, source: "test", to: &configuration)
        let message = Self.refusal { _ = try configuration.validated() }
        #expect(message.contains(expected), "message was: \(message)")
    }

    @Test func theAdvertisedURLIsNormalized() throws {
        var configuration = try Self.file(#"{"database": "sqlite:/tmp/x.sqlite", "advertisedURL": "https://east.example.org:8443/"}"#)
        #expect(try configuration.validated().advertisedURL == "https://east.example.org:8443")
        configuration.advertisedURL = nil
        #expect(try configuration.validated().advertisedURL == nil)
    }

    @Test func everyRowOfTheTableSetsThePropertyOfItsKey() {
        for setting in ServeConfiguration.settings {
            let path: AnyKeyPath = switch setting.field {
            case .text(let path): path
            case .optionalText(let path): path
            case .integer(let path): path
            case .optionalInteger(let path): path
            case .integer64(let path): path
            case .number(let path): path
            case .boolean(let path): path
            case .list(let path): path
            }
            #expect("\(path)" == "\\ServeConfiguration.\(setting.key)")
        }
    }

    @Test func missingDatabaseSaysWhereToSetIt() {
        #expect(Self.refusal { _ = try ServeConfiguration().validated() }.contains("ARBOR_DATABASE_URL"))
    }

    @Test func aSonNeedsItsClientIdAndSliceAndTheCenterHasNoFather() throws {
        var son = ServeConfiguration()
        try son.apply(environment: ["ARBOR_DATABASE_URL": "sqlite:/b.sqlite", "ARBOR_SITE": "east", "ARBOR_FATHER_SERVERS": "http://hq:8080, http://hq2:8080"])
        #expect(son.fatherServers == ["http://hq:8080", "http://hq2:8080"])
        #expect(throws: ServeConfigurationError.self) { try son.validated() }
        son.fatherClientId = "east"
        son.fatherSlice = "(east+all"
        #expect(throws: ServeConfigurationError.self) { try son.validated() }
        son.fatherSlice = "east+all"
        _ = try son.validated()
        var center = son
        center.site = "center"
        #expect(throws: ServeConfigurationError.self) { try center.validated() }
    }
}
