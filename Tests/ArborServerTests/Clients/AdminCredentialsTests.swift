import ArborCore
import ArborStore
import ArborTesting
import Foundation
import Testing

/// Admin commands against the real test PostgreSQL with its password taken from each source
/// but the command line: `ARBOR_DATABASE_URL`, `--config`, `~/.pgpass`, `PGPASSWORD`. Each
/// command runs with an environment the test chooses whole (its own `HOME`), so the password
/// can only come from the source under test. Needs a server that checks passwords (CI's
/// does); on a server that lets every password in the tests cannot tell sources apart and
/// are not run.
@Suite(.heavy, .enabled("the test PostgreSQL must check passwords") { await PostgresPasswordTarget.passwordsAreChecked })
struct AdminCredentialsTests {
    @Test func eachSourceGivesThePasswordAndTheWrongOneIsNamed() async throws {
        try await PostgresPasswordTarget.with { target in
            var environment = target.environment
            environment["PGPASSWORD"] = target.password
            let fromPGPASSWORD = try await target.clients(["add", "by-pgpassword", "--db", target.bareURL], environment)
            #expect(fromPGPASSWORD.status == 0, "\(fromPGPASSWORD)")
            #expect(!fromPGPASSWORD.errors.contains("the password in --db"), "no password on the command line: \(fromPGPASSWORD)")

            environment["PGPASSWORD"] = "wrong-\(target.password)"
            let wrong = try await target.clients(["add", "never", "--db", target.bareURL], environment)
            #expect(wrong.status == 1, "\(wrong)")
            #expect(wrong.errors.contains("password from PGPASSWORD"), "the message says where the password came from: \(wrong)")
            // The password sent must not be echoed (the right one may be a word of the message, as
            // a password equal to the user name is).
            #expect(!wrong.errors.contains("wrong-\(target.password)"), "no password in messages: \(wrong)")

            let pgpass = target.home.appendingPathComponent(".pgpass").path
            let line = "\(target.host):\(target.port):\(target.database):\(target.user.replacingOccurrences(of: ":", with: "\\:")):\(Self.escaped(target.password))"
            _ = FileManager.default.createFile(atPath: pgpass, contents: Data("# other sites\nelsewhere:5432:*:*:nope\n\(line)\n".utf8), attributes: [.posixPermissions: 0o600])
            let fromPgpass = try await target.clients(["add", "by-pgpass", "--db", target.bareURL], target.environment)
            #expect(fromPgpass.status == 0, "\(fromPgpass)")
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: pgpass)
            let exposed = try await target.clients(["add", "never", "--db", target.bareURL], target.environment)
            #expect(exposed.status == 64 && exposed.errors.contains("run chmod 0600 \(pgpass)"), "\(exposed)")
            try FileManager.default.removeItem(atPath: pgpass)

            let noPassword = try await target.clients(["add", "never", "--db", target.bareURL], target.environment)
            #expect(noPassword.status == 1 && noPassword.errors.contains("no password: none in the URL, PGPASSWORD unset"), "\(noPassword)")

            environment = target.environment
            environment["ARBOR_DATABASE_URL"] = target.fullURL
            let fromVariable = try await target.clients(["add", "by-variable"], environment)
            #expect(fromVariable.status == 0 && !fromVariable.errors.contains("the password in --db"), "\(fromVariable)")

            let config = target.home.appendingPathComponent("site.json")
            let settings: [String: Any] = ["database": target.fullURL, "tablePrefix": target.prefix.value, "site": "center", "port": 9999]
            try JSONSerialization.data(withJSONObject: settings).write(to: config)
            let fromConfig = try await ArborCommand.run(["clients", "add", "by-config", "--config", config.path], environment: target.environment)
            #expect(fromConfig.status == 0, "\(fromConfig)")
            let listed = try await ArborCommand.run(["clients", "list", "--config", config.path], environment: target.environment)
            #expect(listed.status == 0 && listed.output.contains("4 clients"), "\(listed)")

            let onCommandLine = try await target.clients(["list", "--db", target.fullURL], target.environment)
            #expect(onCommandLine.status == 0, "\(onCommandLine)")
            #expect(onCommandLine.errors.contains("warning: the password in --db can be read by other users"), "\(onCommandLine)")

            #expect(Set(try await target.store.clients().map(\.clientId)) == ["by-pgpassword", "by-pgpass", "by-variable", "by-config"])
        }
    }

    @Test func serveTakesThePasswordFromPGPASSWORD() async throws {
        try await PostgresPasswordTarget.with { target in
            var environment = target.environment
            environment["PGPASSWORD"] = target.password
            let serve = try await ServeProcess.start(["--db", target.bareURL, "--prefix", target.prefix.value], environment: environment)
            await serve.stop()
            #expect(!serve.output.contains("the password in --db"), "\(serve.output)")

            environment["PGPASSWORD"] = "wrong-\(target.password)"
            let refused = try await ArborCommand.run(
                ["serve", "--db", target.bareURL, "--prefix", target.prefix.value, "--plain-http", "--port", "0"], environment: environment
            )
            #expect(refused.status != 0 && refused.errors.contains("password from PGPASSWORD"), "\(refused)")
        }
    }

    /// A password as a `.pgpass` field: `:` and `\` escaped.
    static func escaped(_ password: String) -> String {
        password.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: ":", with: "\\:")
    }
}
