import ArborCore
import ArborEdge
import Testing

@Suite struct EdgeConfigurationTests {
    let schema = EdgeSamples.schema

    private func configurationError(_ make: () throws(EdgeError) -> EdgeConfiguration) -> EdgeError? {
        do {
            _ = try make()
            return nil
        } catch {
            return error
        }
    }

    @Test func defaultsAndNormalizedServers() throws {
        let configuration = try EdgeConfiguration(servers: ["http://127.0.0.1:8080/", "https://arbor.example:8443//", "http://h/prefix"], schema: schema)
        #expect(configuration.servers == ["http://127.0.0.1:8080", "https://arbor.example:8443", "http://h/prefix"])
        #expect(configuration.instance == "1")
        #expect(configuration.clientId == nil)
        #expect(!configuration.useRegistration)
        #expect(configuration.format == .binary)
        #expect(configuration.format.mediaType == "application/vnd.arbor.delta-buffers")
        #expect(EdgeConfiguration.Format.json.mediaType == "application/json")
        #expect(configuration.fetchWaitMilliseconds == 20_000)
    }

    @Test func fetchWaitInMilliseconds() throws {
        let configuration = try EdgeConfiguration(servers: ["http://h:1"], schema: schema, fetchWait: .milliseconds(1_500))
        #expect(configuration.fetchWaitMilliseconds == 1_500)
        let sub = try EdgeConfiguration(servers: ["http://h:1"], schema: schema, fetchWait: .microseconds(2_999))
        #expect(sub.fetchWaitMilliseconds == 2)
    }

    @Test func noServers() {
        let error = configurationError { () throws(EdgeError) in try EdgeConfiguration(servers: [], schema: schema) }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains("at least one server") == true)
    }

    @Test(arguments: ["127.0.0.1:8080", "ftp://h:21", "http://", "http:///path", "http://h:1/?q=1", "http://h:1/#f", "http://u:p@h:1", "not a url", ""])
    func badServerURL(_ url: String) {
        let error = configurationError { () throws(EdgeError) in try EdgeConfiguration(servers: ["http://ok:1", url], schema: schema) }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains("is not a base URL") == true)
    }

    @Test func duplicateServers() {
        let error = configurationError { () throws(EdgeError) in try EdgeConfiguration(servers: ["http://h:1", "http://h:1/"], schema: schema) }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains("listed twice") == true)
    }

    @Test(arguments: ["", "a/b", "a b", String(repeating: "x", count: 33), "é", "1?"])
    func badInstance(_ instance: String) {
        let error = configurationError { () throws(EdgeError) in try EdgeConfiguration(servers: ["http://h:1"], instance: instance, schema: schema) }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains("instance") == true)
    }

    @Test(arguments: ["1", "main-2", "A_b", String(repeating: "x", count: 32)])
    func goodInstance(_ instance: String) throws {
        #expect(try EdgeConfiguration(servers: ["http://h:1"], instance: instance, schema: schema).instance == instance)
    }

    @Test func registrationNeedsClientId() throws {
        let error = configurationError { () throws(EdgeError) in try EdgeConfiguration(servers: ["http://h:1"], useRegistration: true, schema: schema) }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains("client id") == true)
        #expect(try EdgeConfiguration(servers: ["http://h:1"], clientId: "son-paris", useRegistration: true, schema: schema).useRegistration)
    }

    @Test(arguments: ["", "has space", String(repeating: "c", count: 65), "tab\t", "é"])
    func badClientId(_ clientId: String) {
        let error = configurationError { () throws(EdgeError) in try EdgeConfiguration(servers: ["http://h:1"], clientId: clientId, schema: schema) }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains("client id") == true)
    }

    @Test func badDurationsAndLimits() {
        let cases: [(String, () throws(EdgeError) -> EdgeConfiguration)] = [
            ("requestTimeout", { () throws(EdgeError) in try EdgeConfiguration(servers: ["http://h:1"], schema: schema, requestTimeout: .zero) }),
            ("fetchWait", { () throws(EdgeError) in try EdgeConfiguration(servers: ["http://h:1"], schema: schema, fetchWait: .zero) }),
            ("fetchWait", { () throws(EdgeError) in try EdgeConfiguration(servers: ["http://h:1"], schema: schema, fetchWait: .seconds(61)) }),
            ("retryBackoff", { () throws(EdgeError) in try EdgeConfiguration(servers: ["http://h:1"], schema: schema, retryBackoff: .milliseconds(-1)) }),
            ("maxResponseBytes", { () throws(EdgeError) in try EdgeConfiguration(servers: ["http://h:1"], schema: schema, maxResponseBytes: 0) }),
        ]
        for (setting, make) in cases {
            let error = configurationError(make)
            #expect(error?.code == .invalidConfiguration, "\(setting)")
            #expect(error?.message.contains(setting) == true, "\(setting): \(String(describing: error))")
        }
    }
}
