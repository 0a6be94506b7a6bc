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
        ("postgres://u:secret@h/db?sslmode=allow", "sslmode 'allow' is not supported; use one of disable, prefer, require, verify-full"),
        ("postgres://u:secret@h/db?sslmode=require&sslrootcert=/ca.pem", "sslrootcert only applies with sslmode=verify-full"),
        ("postgres://u:secret@h/db?pool_size=0", "pool_size '0' must be a whole number from 1 to 1000"),
        ("postgres://u:secret@h/db?poolsize=5", "parameter 'poolsize' is not supported; known: sslmode, sslrootcert, pool_size"),
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

    @Test func parsesConnectionOptions() throws {
        let location = try DatabaseLocation(parsing: "postgres://u:pw@db.example/app?sslmode=verify-full&sslrootcert=/etc/arbor/ca.pem&pool_size=50")
        #expect(location == .postgres(PostgresLocation(
            host: "db.example", username: "u", password: "pw", database: "app", sslMode: .verifyFull, sslRootCertificateFile: "/etc/arbor/ca.pem", poolSize: 50
        )))
        #expect(location.description == "postgres://u:***@db.example:5432/app?sslmode=verify-full&sslrootcert=/etc/arbor/ca.pem&pool_size=50")
    }

    @Test func defaultsToPreferredTLSAndTwentyConnectionsAsLibpq() throws {
        guard case .postgres(let location) = try DatabaseLocation(parsing: "postgres://u@h/db") else { return }
        #expect(location.sslMode == .prefer && location.poolSize == 20 && location.sslRootCertificateFile == nil)
    }
}
