import ArborCore
@testable import ArborServer
import ArborStore
import ArborTesting
import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

/// Issue 11 item 4 over real HTTP: a flood of wrong secrets (from the same address as a
/// legitimate client) is answered 429 `TooManyAttempts` with `Retry-After` after a few real
/// checks, while the legitimate client, verified once, keeps appending. No speed is asserted.
@Suite(.heavy) struct WrongSecretFloodTests {
    struct Answer {
        var status: Int
        var error: String?
        var retryAfter: String?
    }

    @Test func aFloodOfWrongSecretsGets429sAndALegitimateClientIsStillServed() async throws {
        let site = try await LinkedSite.start(.sqlite, clients: ["app", "shop"])
        do {
            // Production cost: the default iterations.
            try await site.store.setClientSecretHash(id: "app", hash: ClientSecret.hash("app-secret", salt: ClientSecret.randomSalt()))
            try await site.store.setClientSecretHash(id: "shop", hash: ClientSecret.hash("shop-secret", salt: ClientSecret.randomSalt()))
            try await site.context.clients.refresh()
            #expect(try await Self.append(site, client: "app", secret: "app-secret", n: 0).status == 200)

            var answers: [Answer] = []
            var legitimate: [Answer] = []
            for wave in 0..<10 {
                answers += try await withThrowingTaskGroup(of: Answer.self) { group in
                    for _ in 0..<30 { group.addTask { try await Self.append(site, client: "shop", secret: "guess-\(UUID())", n: 1_000) } }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                legitimate.append(try await Self.append(site, client: "app", secret: "app-secret", n: wave + 1))
            }
            let refused = answers.filter { $0.status == 429 }, checked = answers.filter { $0.status == 401 }
            #expect(refused.count + checked.count == answers.count, "other answers: \(answers.map(\.status))")
            #expect(checked.allSatisfy { $0.error == "NotAuthenticated" })
            #expect(refused.allSatisfy { $0.error == "TooManyAttempts" && Int($0.retryAfter ?? "") ?? 0 >= 1 }, "\(refused.prefix(3))")
            // 20 free failures, at most 30 in flight when they ran out, then one probe per refusal.
            #expect(checked.count <= 80, "\(checked.count) of \(answers.count) wrong secrets were derived")
            #expect(legitimate.allSatisfy { $0.status == 200 }, "the legitimate client was refused: \(legitimate.map(\.status))")
            #expect(try await site.store.entities([EntityKey("Customer", Fixtures.id(1_000))]).isEmpty, "a refused append stored its write")
            #expect(try await site.store.entities([EntityKey("Customer", Fixtures.id(10))]).count == 1)
        } catch {
            await site.stop()
            throw error
        }
        await site.stop()
    }

    static func append(_ site: LinkedSite, client: String, secret: String, n: Int) async throws -> Answer {
        var request = HTTPClientRequest(url: site.baseURL + "/arbor/1/delta/append")
        request.method = .POST
        request.headers.add(name: ArborProtocol.Header.clientId, value: client)
        request.headers.add(name: ArborProtocol.Header.clientSecret, value: secret)
        let body = #"{"writes":[{"kind":"create","class":"Customer","techId":"\#(Fixtures.id(n).uuidString)","topics":",A,","fields":{"name":"n\#(n)","vip":false}}]}"#
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        let json = (try? JSONSerialization.jsonObject(with: Data(buffer: bytes))) as? [String: Any] ?? [:]
        return Answer(status: Int(response.status.code), error: json["error"] as? String, retryAfter: response.headers.first(name: "Retry-After"))
    }
}
