import ArborCore
import ArborServer
import ArborTesting
import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

/// Checks the running server against `Docs/openapi.json`: every documented operation answers
/// with a documented status and content type, and JSON bodies carry the schema's required keys.
@Suite struct OpenAPIConformanceTests {
    nonisolated(unsafe) static let document: [String: Any] = {  // read-only after first use
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Docs/openapi.json")
        let data = (try? Data(contentsOf: url)) ?? Data()
        return ((try? JSONSerialization.jsonObject(with: data)) as? [String: Any]) ?? [:]
    }()

    /// A valid body for each POST operation, sent by client `c1`.
    static let validBodies: [String: String] = [
        "/delta/fetch": #"{"fromSequence":0,"slice":"A","registered":true,"waitMilliseconds":0}"#,
        "/delta/register": #"{"entities":[{"class":"Customer","techId":"00000000-0000-4000-8000-000000000001"}]}"#,
        "/delta/unregister": #"{"entities":[],"sequence":1}"#,
        "/delta/append": #"{"writes":[{"kind":"create","class":"Customer","techId":"00000000-0000-4000-8000-000000000001","topics":",A,","fields":{"name":"Ada","vip":false}}]}"#,
        // An upload holding no buffers only asks for the son's position.
        "/delta/upload": "",
        "/delta/upload-position": "{}",
        "/delta/site-report": #"{"site":"c1","sequence":0,"connected":true,"connectedToCenter":false,"sons":[]}"#,
        "/cache/full-load": #"{"slice":"A"}"#,
        "/cache/partial-load": #"{"slice":"A+B"}"#,
        "/cache/select-minus": #"{"oldSlice":"A","newSlice":"B"}"#,
        "/cache/sync-load": #"{"slice":"A","lastTransmissionTime":0}"#,
        "/cache/skip-load": #"{"slice":"A","lastSequence":1}"#,
        "/cache/digests": #"{"slice":"A"}"#,
        "/cache/entity-load": #"{"slice":"A","entities":[{"class":"Customer","techId":"00000000-0000-4000-8000-000000000001"}]}"#,
    ]

    /// The documented operations, in an order where each valid request makes sense.
    static let order = ["/delta/append", "/delta/upload", "/delta/upload-position", "/delta/site-report", "/cache/full-load", "/delta/fetch", "/delta/register", "/delta/unregister",
                        "/cache/partial-load", "/cache/select-minus", "/cache/sync-load", "/cache/skip-load",
                        "/cache/digests", "/cache/entity-load"]

    @Test func everyDocumentedOperationMatchesTheServer() async throws {
        let paths = try #require(Self.document["paths"] as? [String: Any])
        let documentedPosts = Set(paths.keys.filter { (paths[$0] as? [String: Any])?["post"] != nil }.map { $0.replacingOccurrences(of: "/arbor/{instance}", with: "") })
        #expect(documentedPosts == Set(Self.order), "documented POST operations differ from the ones this test drives")
        let site = try await LinkedSite.start(.sqlite)
        do {
            _ = try await site.store.addClient(id: "c1", bit: nil, role: .son)
            _ = try await site.store.addClient(id: "locked", bit: nil)
            try await site.store.setClientSecretHash(id: "locked", hash: ClientSecret.hash("right", salt: ClientSecret.randomSalt(), iterations: 1_000))
            _ = try await site.store.addClient(id: "off", bit: nil)
            try await site.store.setClientDisabled(id: "off", disabled: true)
            try await site.context.clients.refresh()
            for root in ["/delta", "/cache", "/status", "/status.json"] {
                let answer = try await send(site, "GET", "/arbor/1\(root)", body: nil)
                try check(answer, against: "/arbor/{instance}\(root)", method: "get")
            }
            try check(try await send(site, "GET", "/metrics", body: nil), against: "/metrics", method: "get")
            for path in Self.order {
                let valid = try await send(site, "POST", "/arbor/1\(path)", body: Self.validBodies[path])
                #expect(valid.status == 200, "\(path) answered \(valid.status): \(String(decoding: valid.body, as: UTF8.self))")
                try check(valid, against: "/arbor/{instance}\(path)", method: "post")
                let malformed = try await send(site, "POST", "/arbor/1\(path)", body: "{\"nonsense\": true}")
                #expect(malformed.status == 400, "\(path) with a malformed body answered \(malformed.status)")
                try check(malformed, against: "/arbor/{instance}\(path)", method: "post")
                // Every operation names a client: a wrong secret is the documented 401.
                let wrongSecret = try await send(site, "POST", "/arbor/1\(path)", body: Self.validBodies[path], clientId: "locked", secret: "wrong")
                #expect(wrongSecret.status == 401, "\(path) with a wrong secret answered \(wrongSecret.status)")
                try check(wrongSecret, against: "/arbor/{instance}\(path)", method: "post")
                let error = try JSONSerialization.jsonObject(with: wrongSecret.body) as? [String: Any]
                #expect(error?["error"] as? String == "NotAuthenticated", "\(path): \(String(decoding: wrongSecret.body, as: UTF8.self))")
                // A disabled client is refused by every operation with the documented 403.
                let disabled = try await send(site, "POST", "/arbor/1\(path)", body: Self.validBodies[path], clientId: "off")
                #expect(disabled.status == 403, "\(path) for a disabled client answered \(disabled.status)")
                try check(disabled, against: "/arbor/{instance}\(path)", method: "post")
                let refusal = try JSONSerialization.jsonObject(with: disabled.body) as? [String: Any]
                #expect(refusal?["error"] as? String == "ClientDisabled", "\(path): \(String(decoding: disabled.body, as: UTF8.self))")
            }
            // Only sons upload (issue 11 item 3): an application is refused with the documented 403.
            for path in ["/delta/upload", "/delta/upload-position", "/delta/site-report"] {
                let application = try await send(site, "POST", "/arbor/1\(path)", body: Self.validBodies[path], clientId: TreeSite.appClient)
                #expect(application.status == 403, "\(path) for an application answered \(application.status)")
                try check(application, against: "/arbor/{instance}\(path)", method: "post")
                let error = try JSONSerialization.jsonObject(with: application.body) as? [String: Any]
                #expect(error?["error"] as? String == "NotPermitted", "\(path): \(String(decoding: application.body, as: UTF8.self))")
            }
        } catch {
            await site.stop()
            throw error
        }
        await site.stop()
    }

    struct Answer {
        var status: Int
        var contentType: String
        var body: Data
    }

    func send(_ site: LinkedSite, _ method: String, _ path: String, body: String?, clientId: String = "c1", secret: String? = nil) async throws -> Answer {
        var request = HTTPClientRequest(url: site.baseURL + path)
        request.method = method == "GET" ? .GET : .POST
        request.headers.add(name: ArborProtocol.Header.clientId, value: clientId)
        if let secret { request.headers.add(name: ArborProtocol.Header.clientSecret, value: secret) }
        request.headers.add(name: "Accept", value: ArborProtocol.jsonMediaType)
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        return Answer(status: Int(response.status.code), contentType: response.headers.first(name: "content-type") ?? "", body: Data(buffer: bytes))
    }

    /// The answer's status, content type and required JSON keys are as documented.
    func check(_ answer: Answer, against path: String, method: String) throws {
        let operation = try #require(((Self.document["paths"] as? [String: Any])?[path] as? [String: Any])?[method] as? [String: Any])
        let responses = try #require(operation["responses"] as? [String: Any])
        let response = try #require(responses[String(answer.status)] as? [String: Any], "\(method) \(path): status \(answer.status) is not documented")
        let content = try #require(response["content"] as? [String: Any])
        #expect(content[answer.contentType] != nil, "\(method) \(path): content type \(answer.contentType) not documented for \(answer.status)")
        guard answer.contentType == ArborProtocol.jsonMediaType,
              let reference = ((content[answer.contentType] as? [String: Any])?["schema"] as? [String: Any])?["$ref"] as? String else { return }
        let schemaName = String(reference.split(separator: "/").last ?? "")
        let schema = try #require(((Self.document["components"] as? [String: Any])?["schemas"] as? [String: Any])?[schemaName] as? [String: Any])
        let object = try #require(try JSONSerialization.jsonObject(with: answer.body) as? [String: Any], "\(path): body is not a JSON object")
        for key in (schema["required"] as? [String]) ?? [] {
            #expect(object[key] != nil, "\(method) \(path): \(schemaName) lacks required '\(key)'")
        }
        if schemaName == "Error", let code = object["error"] as? String {
            let codes = (((schema["properties"] as? [String: Any])?["error"] as? [String: Any])?["enum"] as? [String]) ?? []
            #expect(codes.contains(code), "\(path): error code \(code) is not documented")
        }
    }
}
