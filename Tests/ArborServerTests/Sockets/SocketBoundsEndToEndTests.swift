import ArborStore
import ArborTesting
import Foundation
import Testing

/// Issue 11 items 5 and 6 against real `arbor serve` processes on SQLite: idle, slowloris and
/// short-body connections are closed by the idle timeout; connections beyond the maximum are
/// closed at once and logged; a process with few file descriptors refuses instead of crashing;
/// parser refusals and a spent body budget answer in the JSON error format. Every wait is
/// bounded with a wide margin, and no figure of speed is asserted.
@Suite(.serialized, .heavy) struct SocketBoundsEndToEndTests {
    /// Runs `body` against a fresh site served with `arguments`, always stopping it.
    private static func withServer(
        _ arguments: [String], descriptorLimit: Int? = nil, _ body: (ServeProcess) async throws -> Void
    ) async throws {
        let place = try TestStores.place(.sqlite)
        let prefix = TestStores.randomPrefix()
        let store = try await TestStores.open(place, prefix: prefix)
        // Bodies are read only for an authenticated client: the tests' requests name this one.
        _ = try await store.addClient(id: "writer", bit: nil)
        var server: ServeProcess?
        do {
            let started = try await ServeProcess.start(
                ["--db", place.databaseURL, "--prefix", prefix.value] + arguments, descriptorLimit: descriptorLimit
            )
            server = started
            try await body(started)
        } catch {
            await server?.stop()
            await TestStores.remove(store, place)
            throw error
        }
        await server?.stop()
        await TestStores.remove(store, place)
    }

    @Test("idle, slowloris and short-body connections are closed by the idle timeout; status GETs are still answered")
    func idleSlowAndShortBodyConnectionsAreClosed() async throws {
        try await Self.withServer(["--idle-timeout", "2"]) { server in
            let idle = try #require(RawConnection(port: server.port))
            let slow = try #require(RawConnection(port: server.port))
            slow.send("GET /arbor/1/delta HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            let short = try #require(RawConnection(port: server.port))
            short.send("POST /arbor/1/delta/append HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Arbor-Client-Id: writer\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n[{\"op\"")
            // The slowloris client keeps sending header bytes, one line every half second.
            let trickle = Task {
                for index in 0..<120 {
                    try await Task.sleep(for: .milliseconds(500))
                    guard slow.send("X-Slow-\(index): x\r\n") else { return }
                }
            }
            defer { trickle.cancel() }
            // The timeout is 2 s; 45 s leaves a wide margin on a loaded machine.
            for (name, connection) in [("idle", idle), ("slowloris", slow), ("short body", short)] {
                let read = connection.readUntilClosed(timeout: .seconds(45))
                #expect(read.closed, "the \(name) connection was not closed by the server")
            }
            #expect(RawConnection.statusGET(port: server.port) == 200)
            #expect(server.process.isRunning)
        }
    }

    @Test("connections beyond maximumConnections are closed at once and logged; served ones keep working")
    func connectionsBeyondTheMaximumAreRefused() async throws {
        try await Self.withServer(["--maximum-connections", "8", "--idle-timeout", "600"]) { server in
            var held: [RawConnection] = []
            for _ in 0..<8 { held.append(try #require(RawConnection(port: server.port))) }
            // Each held connection is served: a request on it is answered.
            #expect(held[0].send("GET /arbor/1/delta HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))
            #expect(held[0].readResponse(timeout: .seconds(30))?.status == 200)
            var refused = 0
            for _ in 0..<12 {
                guard let extra = RawConnection(port: server.port) else { refused += 1; continue }
                if extra.readUntilClosed(timeout: .seconds(30)).closed { refused += 1 }
            }
            #expect(refused == 12, "every connection beyond the 8 held must be closed")
            try await Self.waitFor(server, toLog: "refused", within: .seconds(30))
            held.removeAll()
            // Once the held ones close, new connections are served again.
            var answered = false
            for _ in 0..<60 where !answered {
                answered = RawConnection.statusGET(port: server.port, timeout: .seconds(10)) == 200
                if !answered { try await Task.sleep(for: .milliseconds(500)) }
            }
            #expect(answered)
            #expect(server.process.isRunning)
        }
    }

    @Test("with 128 file descriptors, 400 idle connections are refused and logged, never a crash; the site answers afterwards")
    func aLowDescriptorLimitRefusesInsteadOfCrashing() async throws {
        try await Self.withServer(["--idle-timeout", "3"], descriptorLimit: 128) { server in
            try await Self.waitFor(server, toLog: "file descriptor limit is 128", within: .seconds(30))
            var connections: [RawConnection] = []
            for _ in 0..<400 {
                if let connection = RawConnection(port: server.port) { connections.append(connection) }
            }
            try await Self.waitFor(server, toLog: "refused", within: .seconds(30))
            // A status GET and a timer-driven idle close both still work while the flood is held.
            try await Task.sleep(for: .seconds(1))
            #expect(server.process.isRunning, "the process died: \(server.output.suffix(2_000))")
            connections.removeAll()
            var answered = false
            for _ in 0..<60 where !answered {
                answered = RawConnection.statusGET(port: server.port, timeout: .seconds(10)) == 200
                if !answered { try await Task.sleep(for: .milliseconds(500)) }
            }
            #expect(answered, "no status answer after the flood: \(server.output.suffix(2_000))")
            #expect(server.process.isRunning)
        }
    }

    @Test("a 1 MB header is a JSON TooLarge (431) and a request that is not HTTP a JSON BadRequest (400)")
    func parserRefusalsAnswerInJSON() async throws {
        try await Self.withServer([]) { server in
            let huge = try #require(RawConnection(port: server.port))
            let secret = String(repeating: "s", count: 1 << 20)
            huge.send("POST /arbor/1/delta/append HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Arbor-Client-Id: a\r\nX-Arbor-Client-Secret: \(secret)\r\nContent-Length: 2\r\n\r\n[]")
            let answer = try #require(huge.readResponse(timeout: .seconds(30)))
            #expect(answer.status == 431)
            let refusal = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: String]
            #expect(refusal?["error"] == "TooLarge")
            #expect(refusal?["message"]?.contains("maximumHeaderBytes") == true)

            let garbage = try #require(RawConnection(port: server.port))
            garbage.send("NOT HTTP AT ALL\r\n\r\n")
            let bad = try #require(garbage.readResponse(timeout: .seconds(30)))
            #expect(bad.status == 400)
            let badRefusal = try JSONSerialization.jsonObject(with: Data(bad.body.utf8)) as? [String: String]
            #expect(badRefusal?["error"] == "BadRequest")
            #expect(server.process.isRunning)
        }
    }

    @Test("a request body beyond the body budget is a JSON Unavailable (503) while another body holds it; served again once it is released")
    func bodyBudgetRefusesInJSON() async throws {
        let budget = 65_536
        let arguments = ["--idle-timeout", "600"]
        let place = try TestStores.place(.sqlite)
        let prefix = TestStores.randomPrefix()
        let store = try await TestStores.open(place, prefix: prefix)
        // Bodies are read only for an authenticated client: the requests name one.
        _ = try await store.addClient(id: "writer", bit: nil)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-budget-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = directory.appendingPathComponent("site.json")
        try Data(#"{"maximumTransactionBytes": \#(budget), "requestBodyBudgetBytes": \#(budget)}"#.utf8).write(to: config)
        let server = try await ServeProcess.start(["--db", place.databaseURL, "--prefix", prefix.value, "--config", config.path] + arguments)
        func append() -> (status: Int, body: String)? {
            guard let other = RawConnection(port: server.port) else { return nil }
            other.send("POST /arbor/1/delta/append HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Arbor-Client-Id: writer\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n[]")
            return other.readResponse(timeout: .seconds(30))
        }
        do {
            // The holder must pass authentication: wait until the site knows the client (an early
            // request can come before its clients table is read, and a refused holder holds nothing).
            for _ in 0..<60 where append()?.status != 400 { try await Task.sleep(for: .milliseconds(500)) }
            // Holders send a head and one byte of a body as large as the budget, and wait. Seldom (seen
            // under load) a holder's body is not reserved; one more is opened then, and what the
            // earlier one was answered is printed, so such a run is explained.
            var holders: [RawConnection] = []
            func openHolder() {
                guard let holder = RawConnection(port: server.port) else { return }
                holder.send("POST /arbor/1/delta/append HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Arbor-Client-Id: writer\r\nContent-Type: application/json\r\nContent-Length: \(budget)\r\n\r\n[")
                holders.append(holder)
            }
            openHolder()
            var refused: (status: Int, body: String)?
            for attempt in 0..<60 where refused?.status != 503 {
                refused = append()
                guard refused?.status != 503 else { break }
                if attempt % 4 == 3 {
                    let answer = holders.last?.readResponse(timeout: .milliseconds(50))
                    print("SocketBoundsEndToEndTests: holder \(holders.count) holds nothing yet (its answer: \(answer.map { "\($0.status) \($0.body)" } ?? "none")); opening another")
                    openHolder()
                }
                try await Task.sleep(for: .milliseconds(500))
            }
            #expect(refused?.status == 503)
            let refusal = refused.flatMap { try? JSONSerialization.jsonObject(with: Data($0.body.utf8)) as? [String: String] }
            #expect(refusal?["error"] == "Unavailable")
            #expect(refusal?["message"]?.contains("requestBodyBudgetBytes") == true)
            // Closing the holders releases their bytes: the same request is no longer refused for the budget.
            holders.removeAll()
            var served: (status: Int, body: String)?
            for _ in 0..<60 {
                served = append()
                if let status = served?.status, status != 503 { break }
                try await Task.sleep(for: .milliseconds(500))
            }
            #expect(served.map { $0.status != 503 } == true, "still refused after the holder closed: \(String(describing: served))")
        }
        await server.stop()
        await TestStores.remove(store, place)
        try? FileManager.default.removeItem(at: directory)
    }

    private static func waitFor(_ server: ServeProcess, toLog text: String, within limit: Duration) async throws {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if server.output.contains(text) { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("the server did not log '\(text)': \(server.output.suffix(2_000))")
    }
}
