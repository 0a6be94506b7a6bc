import ArborServer
import ArborTesting
import AsyncHTTPClient
import Foundation

/// Reading a running site's status in tests.
enum StatusFetch {
    /// `GET <base>/arbor/1/status.json` with `headers`: the HTTP status and body.
    static func get(_ base: String, path: String = "/arbor/1/status.json", headers: [(String, String)] = []) async throws -> (status: UInt, body: Data, headers: [String: String]) {
        var request = HTTPClientRequest(url: base + path)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let response = try await client.execute(request, timeout: .seconds(20))
            let body = Data(try await response.body.collect(upTo: 16 << 20).readableBytesView)
            try await client.shutdown()
            return (response.status.code, body, Dictionary(response.headers.map { ($0.name.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first }))
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// The site's report.
    static func report(_ site: TreeSite) async throws -> SiteStatusReport {
        let answer = try await get(site.baseURL)
        guard answer.status == 200 else { throw TestStoreError("status.json answered \(answer.status): \(String(decoding: answer.body, as: UTF8.self))") }
        return try JSONDecoder().decode(SiteStatusReport.self, from: answer.body)
    }
}
