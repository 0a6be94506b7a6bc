import ArborServer
import ArborStore
import ArborTesting
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Who may read the status (Docs/security.md): loopback always; from another address only a
/// client of `statusClients`, by its secret (here with HTTP Basic, as a browser sends it). A
/// real `arbor serve` on all addresses, reached through this machine's own non-loopback address.
@Suite(.serialized, .heavy) struct StatusAccessTests {
    /// This machine's first non-loopback IPv4 address, if it has one.
    static let externalAddress: String? = {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return nil }
        defer { freeifaddrs(list) }
        for entry in sequence(first: first, next: { $0.pointee.ifa_next }) {
            guard let address = entry.pointee.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET) else { continue }
            var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
            var inet = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
            guard inet_ntop(AF_INET, &inet, &text, socklen_t(INET_ADDRSTRLEN)) != nil else { continue }
            let value = String(cString: text)
            if !value.hasPrefix("127.") { return value }
        }
        return nil
    }()

    @Test(.enabled(if: externalAddress != nil, "this machine has no non-loopback IPv4 address"), .heavy(timeLimit: .seconds(120)))
    func onlyLoopbackAndStatusClientsAreAnswered() async throws {
        let place = try TestStores.place(.sqlite)
        let store = try await TestStores.open(place, prefix: TestStores.randomPrefix())
        let monitorSecret = "monitor-secret-0123456789abcdef", otherSecret = "other-secret-0123456789abcdef"
        _ = try await store.addClient(id: "monitor", bit: nil, secretHash: ClientSecret.hash(monitorSecret, salt: ClientSecret.randomSalt()))
        _ = try await store.addClient(id: "other", bit: nil, secretHash: ClientSecret.hash(otherSecret, salt: ClientSecret.randomSalt()))
        var environment = ProcessInfo.processInfo.environment
        environment["ARBOR_STATUS_CLIENTS"] = "monitor"
        let server = try await ServeProcess.start(
            ["--db", place.databaseURL, "--prefix", store.prefix.value, "--host", "0.0.0.0"], environment: environment
        )
        do {
            let remote = "http://\(Self.externalAddress ?? ""):\(server.port)"
            func basic(_ id: String, _ secret: String) -> [(String, String)] {
                [("Authorization", "Basic " + Data("\(id):\(secret)".utf8).base64EncodedString())]
            }
            let local = try await StatusFetch.get(server.baseURL)
            #expect(local.status == 200)

            let anonymous = try await StatusFetch.get(remote)
            #expect(anonymous.status == 401 && Self.code(anonymous.body) == "NotAuthenticated", "\(anonymous)")
            #expect(anonymous.headers["www-authenticate"]?.hasPrefix("Basic") == true, "a browser is asked to log in")
            let page = try await StatusFetch.get(remote, path: "/arbor/1/status")
            #expect(page.status == 401, "the HTML page too")

            let wrong = try await StatusFetch.get(remote, headers: basic("monitor", "not-the-secret"))
            #expect(wrong.status == 401 && Self.code(wrong.body) == "NotAuthenticated", "\(wrong)")
            let unlisted = try await StatusFetch.get(remote, headers: basic("other", otherSecret))
            #expect(unlisted.status == 403 && Self.code(unlisted.body) == "NotPermitted", "\(unlisted)")
            let listed = try await StatusFetch.get(remote, headers: basic("monitor", monitorSecret))
            #expect(listed.status == 200, "\(listed)")
            #expect((try? JSONDecoder().decode(SiteStatusReport.self, from: listed.body))?.clients.count == 2)

            // The refusals are among the recent errors, without any secret.
            let report = try JSONDecoder().decode(SiteStatusReport.self, from: try await StatusFetch.get(server.baseURL).body)
            #expect(report.recentErrors.contains { $0.code == "NotPermitted" && $0.source.contains("status.json") })
            #expect(!String(decoding: try await StatusFetch.get(server.baseURL).body, as: UTF8.self).contains("not-the-secret"))
        } catch {
            print(server.output.suffix(3_000))
            await server.stop()
            await TestStores.remove(store, place)
            throw error
        }
        await server.stop()
        await TestStores.remove(store, place)
    }

    static func code(_ body: Data) -> String? {
        ((try? JSONSerialization.jsonObject(with: body)) as? [String: Any])?["error"] as? String
    }
}
