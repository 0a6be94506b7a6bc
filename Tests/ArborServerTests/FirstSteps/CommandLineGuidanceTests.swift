@testable import arbor
import ArborServer
import ArborStore
import ArborTesting
import Foundation
import Testing

/// The CLI guides an operator out of mistakes (issue 13 item 7), run with the real executable:
/// "did you mean" for subcommands and options, the command's own help hint after its refusals
/// (never the top-level usage), reasons in file and bind errors, PostgreSQL driver errors in words.
@Suite(.heavy) struct CommandLineGuidanceTests {
    private static func scratch() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-guidance-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test func aMistypedSubcommandIsNamedWithTheClosestOne() async throws {
        let run = try await ArborCommand.run(["clients", "lst", "--db", "sqlite:/nonexistent/site.sqlite"])
        #expect(run.status == 64, "\(run)")
        #expect(run.errors.contains("'lst' is not a subcommand of 'arbor clients'. Did you mean 'list'?"), "\(run)")
        #expect(!run.errors.contains("Unknown option '--db'"), "\(run)")
        let top = try await ArborCommand.run(["srve"])
        #expect(top.status == 64 && top.errors.contains("Did you mean 'serve'?"), "\(top)")
    }

    @Test func aMistypedOptionIsNamedWithTheClosestOne() async throws {
        let run = try await ArborCommand.run(["clients", "list", "--dbb", "sqlite:/nonexistent/site.sqlite"])
        #expect(run.status == 64, "\(run)")
        #expect(run.errors.contains("Unknown option '--dbb'") && run.errors.contains("Did you mean '--db'?"), "\(run)")
        #expect(!run.errors.contains("Missing expected argument"), "\(run)")
    }

    @Test func configurationFileErrorsSayWhyAndEndWithTheServeHint() async throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let notJSON = directory.appendingPathComponent("site.json")
        try Data("{\n  \"site\": \"east\",\n  \"port\": 80 80\n}\n".utf8).write(to: notJSON)
        let typo = directory.appendingPathComponent("typo.json")
        try Data(#"{"prot": 8080}"#.utf8).write(to: typo)
        let cases: [(file: String, said: String)] = [
            ("/nope/site.json", "cannot read --config '/nope/site.json': no such file"),
            (directory.path, "it is a directory"),
            (notJSON.path, "is not valid JSON"),
            (notJSON.path, "at line 3"),
            (typo.path, "'prot' is not a setting; did you mean 'port'?"),
        ]
        for (file, said) in cases {
            let run = try await ArborCommand.run(["serve", "--config", file], terminateAfter: .seconds(60))
            #expect(run.status == 64, "\(file): \(run)")
            #expect(run.errors.contains(said), "\(file): \(run)")
            #expect(run.errors.contains("See 'arbor serve --help'"), "\(file): \(run)")
            #expect(!run.errors.contains("Usage: arbor <subcommand>") && !run.errors.contains("See 'arbor --help'"), "the top-level usage: \(run)")
        }
        let admin = try await ArborCommand.run(["clients", "list", "--config", "/nope/site.json"])
        #expect(admin.status == 64 && admin.errors.contains("no such file") && admin.errors.contains("See 'arbor clients list --help'"), "\(admin)")
    }

    @Test func serveHelpListsEverySettingWithItsVariableAndAnExample() async throws {
        let help = try await ArborCommand.run(["serve", "--help"])
        #expect(help.status == 0, "\(help)")
        // Help text wraps long lines; compare with blanks collapsed.
        let text = help.output.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for setting in ServeConfiguration.settings {
            let line = "\(setting.key) (\(setting.variable)), e.g. \(setting.example)".split(whereSeparator: \.isWhitespace).joined(separator: " ")
            #expect(text.contains(line), "serve --help lacks \(line)")
        }
        // The table is the whole configuration: every property is a setting, and every example is accepted.
        let properties = Set(Mirror(reflecting: ServeConfiguration()).children.compactMap(\.label))
        #expect(properties == Set(ServeConfiguration.settings.map(\.key)))
        for setting in ServeConfiguration.settings {
            #expect(throws: Never.self, "\(setting.key) = \(setting.example)") {
                _ = try ServeConfiguration(file: Data("{\"\(setting.key)\": \(setting.example)}".utf8), named: "example")
            }
            var configuration = ServeConfiguration()
            let text = setting.example.trimmingCharacters(in: CharacterSet(charactersIn: "\"[]")).replacingOccurrences(of: "\", \"", with: ",")
            #expect(throws: Never.self, "\(setting.variable)=\(text)") { try configuration.apply(environment: [setting.variable: text]) }
        }
    }

    @Test func aTakenPortIsNamedWithItsAddress() async throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = "sqlite:" + directory.appendingPathComponent("site.sqlite").path
        let initialized = try await ArborCommand.run(["init", "--db", database])
        #expect(initialized.status == 0, "\(initialized)")
        let first = try await ServeProcess.start(["--db", database])
        defer { Task { await first.stop() } }
        let second = try await ArborCommand.run(
            ["serve", "--db", database, "--plain-http", "--host", "127.0.0.1", "--port", String(first.port)], terminateAfter: .seconds(60)
        )
        await first.stop()
        #expect(second.status != 0, "\(second)")
        #expect(second.errors.contains("cannot listen on 127.0.0.1:\(first.port): the address is already in use"), "\(second)")
        #expect(!second.errors.contains("errno"), "\(second)")
    }

    @Test func postgresConnectionErrorsNameTheServerAndWhatToCheck() async throws {
        // Nothing listens: no server needed.
        let port = try NemesisTree.freePort()
        let closed = try await ArborCommand.run(["clients", "list", "--db", "postgres://arbor@127.0.0.1:\(port)/arbor"], environment: ["HOME": "/nonexistent"])
        #expect(closed.status != 0, "\(closed)")
        #expect(closed.errors.contains("nothing listens at 127.0.0.1:\(port)"), "\(closed)")
        #expect(!closed.errors.contains("SingleConnectionFailure") && !closed.errors.contains("connectionError"), "\(closed)")

        guard let url = TestDatabases.postgresURL, let location = try? DatabaseLocation(parsing: url), case .postgres(let server) = location else { return }
        let base = "postgres://\(server.username)@\(server.host):\(server.port)/\(server.database)"
        // The test server asks for a password; none is given (no PGPASSWORD, no ~/.pgpass).
        let noPassword = try await ArborCommand.run(["clients", "list", "--db", base], environment: ["HOME": "/nonexistent"])
        #expect(noPassword.status != 0, "\(noPassword)")
        #expect(noPassword.errors.contains("asks for a password") && noPassword.errors.contains("PGPASSWORD"), "\(noPassword)")
        #expect(!noPassword.errors.contains("authMechanismRequiresPassword"), "\(noPassword)")
        // The test server has no TLS; sslmode=require needs it.
        let tls = try await ArborCommand.run(
            ["clients", "list", "--db", base + "?sslmode=require"], environment: ["HOME": "/nonexistent", "PGPASSWORD": server.password ?? ""]
        )
        #expect(tls.status != 0, "\(tls)")
        #expect(tls.errors.contains("does not accept TLS") && tls.errors.contains("\(server.host):\(server.port)"), "\(tls)")
        #expect(!tls.errors.contains("sslUnsupported"), "\(tls)")
    }
}
