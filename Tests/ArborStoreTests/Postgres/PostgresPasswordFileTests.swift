import ArborStore
import Foundation
import Testing

/// `~/.pgpass` by libpq's rules: fields, `*`, `\:` and `\\` escapes, comments, first match, mode.
@Suite struct PostgresPasswordFileTests {
    @Test func theFirstMatchingLineWinsWithWildcardsPerField() {
        let file = PostgresPasswordFile(parsing: """
            # comment: db.example:5432:app:arbor:not-this
            db.example:5432:app:arbor:exact
            db.example:*:app:arbor:any-port
            *:*:*:arbor:any-host
            *:*:*:*:fallback
            """)
        #expect(file.entry(host: "db.example", port: 5432, database: "app", username: "arbor")?.password == "exact")
        #expect(file.entry(host: "db.example", port: 5432, database: "app", username: "arbor")?.line == 2)
        #expect(file.entry(host: "db.example", port: 6543, database: "app", username: "arbor")?.password == "any-port")
        #expect(file.entry(host: "127.0.0.1", port: 5432, database: "other", username: "arbor")?.password == "any-host")
        #expect(file.entry(host: "127.0.0.1", port: 5432, database: "other", username: "someone")?.password == "fallback")
    }

    @Test func fieldsAreComparedAsWrittenNotResolved() {
        let file = PostgresPasswordFile(parsing: "localhost:5432:app:arbor:local\n")
        #expect(file.entry(host: "localhost", port: 5432, database: "app", username: "arbor")?.password == "local")
        #expect(file.entry(host: "127.0.0.1", port: 5432, database: "app", username: "arbor") == nil, "libpq matches the host name as written")
        #expect(file.entry(host: "localhost", port: 5432, database: "App", username: "arbor") == nil)
    }

    @Test func escapedColonsAndBackslashesBelongToTheField() {
        let file = PostgresPasswordFile(parsing: #"""
            h\:1:5432:d\\b:u:p\:a\\ss\:
            h:5432:d:u:stops:here
            h:5432:\*:u:star-is-literal
            h:5432:x:u:trailing\
            """#)
        #expect(file.entry(host: "h:1", port: 5432, database: #"d\b"#, username: "u")?.password == #"p:a\ss:"#)
        #expect(file.entry(host: "h", port: 5432, database: "d", username: "u")?.password == "stops", "an unescaped colon ends the password")
        #expect(file.entry(host: "h", port: 5432, database: "*", username: "u")?.password == "star-is-literal")
        #expect(file.entry(host: "h", port: 5432, database: "other", username: "u") == nil, #"'\*' is no wildcard"#)
        #expect(file.entry(host: "h", port: 5432, database: "x", username: "u")?.password == #"trailing\"#)
    }

    @Test func shortLinesCommentsAndWindowsLineEndsAreSkipped() {
        let file = PostgresPasswordFile(parsing: "h:5432:d:u\r\n\r\n#h:5432:d:u:commented\r\n h:5432:d:u:leading-space\r\nh:5432:d:u:crlf\r\n")
        #expect(file.entries.map(\.password) == ["leading-space", "crlf"])
        #expect(file.entry(host: "h", port: 5432, database: "d", username: "u")?.password == "crlf", "' h' is another host")
    }

    @Test func aFileOthersCanReadIsRefusedAndAMissingOneOnlyWhenNamed() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pgpass-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("pgpass").path
        #expect(try PostgresPasswordFile.read(path: path, required: false) == nil)
        #expect(throws: StoreError.self) { try PostgresPasswordFile.read(path: path, required: true) }

        _ = FileManager.default.createFile(atPath: path, contents: Data("h:5432:d:u:pw\n".utf8), attributes: [.posixPermissions: 0o644])
        do {
            _ = try PostgresPasswordFile.read(path: path, required: false)
            Issue.record("a password file readable by others was accepted")
        } catch {
            #expect(error.message.contains("group or world access (mode 644): run chmod 0600 \(path)"), "\(error.message)")
        }
        for mode in [0o600, 0o400] {
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
            #expect(try PostgresPasswordFile.read(path: path, required: false)?.entries.first?.password == "pw")
        }
        do {
            _ = try PostgresPasswordFile.read(path: directory.path, required: true)
            Issue.record("a directory was accepted as a password file")
        } catch {
            #expect(error.message.contains("not a plain file"), "\(error.message)")
        }
    }
}
