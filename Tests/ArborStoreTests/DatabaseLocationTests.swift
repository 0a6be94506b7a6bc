import ArborStore
import Testing

@Suite struct DatabaseLocationTests {
    @Test func parsesSQLitePath() throws {
        #expect(try DatabaseLocation(parsing: "sqlite:/tmp/site.sqlite") == .sqlite(path: "/tmp/site.sqlite"))
    }

    @Test func parsesPostgresURLWithAllParts() throws {
        let location = try DatabaseLocation(parsing: "postgres://arbor:s%40cret@127.0.0.1:55432/center")
        #expect(location == .postgres(PostgresLocation(host: "127.0.0.1", port: 55432, username: "arbor", password: "s@cret", database: "center")))
    }

    @Test func defaultsPostgresPortAndHidesPassword() throws {
        let location = try DatabaseLocation(parsing: "postgresql://u:pw@db.example/app")
        guard case .postgres(let postgres) = location else {
            Issue.record("expected a PostgreSQL location, got \(location)")
            return
        }
        #expect(postgres.port == 5432)
        #expect(!location.description.contains("pw"))
        #expect(location.description.contains(":***@"))
    }

    @Test(arguments: [
        ("mysql://u@h/db", "must start with postgres:// or sqlite:"),
        ("sqlite:", "has no path"),
        ("postgres://h/db", "has no user name"),
        ("postgres://u@h", "names no database"),
        ("postgres://u:secret@h:99999/db", "out of range"),
    ])
    func rejectsBadURLsWithClearMessages(url: String, expected: String) {
        do {
            _ = try DatabaseLocation(parsing: url)
            Issue.record("'\(url)' should be rejected")
        } catch {
            #expect(error.code == .invalidConfiguration)
            #expect(error.message.contains(expected), "message was: \(error.message)")
            #expect(!error.message.contains("secret"))
        }
    }
}
