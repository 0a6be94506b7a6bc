import Foundation

/// A PostgreSQL password file (`~/.pgpass`), read by libpq's rules, which PostgresNIO does not
/// implement: each line is `hostname:port:database:username:password`; a field that is
/// exactly `*` matches anything; `\:` and `\\` stand for a colon and a backslash; lines that
/// are empty or start with `#` are ignored; the first matching line wins. Host, database and
/// user are compared as written (`127.0.0.1` does not match `localhost`).
///
/// Parsing and matching are pure; ``read(path:)`` also checks the file's mode, since a
/// password file others can read is refused (libpq ignores it with a warning; Arbor stops
/// with an error so the operator fixes it instead of wondering why the password is ignored).
public struct PostgresPasswordFile: Sendable, Equatable {
    /// One usable line of the file: four patterns (nil for `*`) and the password.
    public struct Entry: Sendable, Equatable {
        public var host: String?
        public var port: String?
        public var database: String?
        public var username: String?
        public var password: String
        /// The line's number in the file (1-based), for messages.
        public var line: Int
    }

    /// The usable lines, in file order.
    public var entries: [Entry]

    /// Parses the file's text. Lines with fewer than five fields are skipped, as libpq skips them.
    public init(parsing text: String) {
        var entries: [Entry] = []
        // "\r\n" is one Character in Swift, so it is a line end of its own.
        let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        for (index, rawLine) in lines.enumerated() {
            var line = Substring(rawLine)
            while line.last == "\r" { line = line.dropLast() }
            guard !line.isEmpty, line.first != "#", let fields = Self.fields(line), fields.count >= 5 else { continue }
            func pattern(_ field: (text: String, wildcard: Bool)) -> String? { field.wildcard ? nil : field.text }
            entries.append(
                Entry(
                    host: pattern(fields[0]), port: pattern(fields[1]), database: pattern(fields[2]), username: pattern(fields[3]),
                    password: fields[4].text, line: index + 1
                )
            )
        }
        self.entries = entries
    }

    /// The first entry matching a connection, as libpq looks it up.
    public func entry(host: String, port: Int, database: String, username: String) -> Entry? {
        let host = host.isEmpty ? "localhost" : host
        return entries.first { entry in
            (entry.host.map { $0 == host } ?? true) && (entry.port.map { $0 == String(port) } ?? true)
                && (entry.database.map { $0 == database } ?? true) && (entry.username.map { $0 == username } ?? true)
        }
    }

    /// Splits a line at unescaped colons into at most five fields, removing the escapes. The
    /// fifth field (the password) ends at the next unescaped colon, as libpq reads it. A field
    /// is a wildcard only when it is exactly an unescaped `*`.
    private static func fields(_ line: Substring) -> [(text: String, wildcard: Bool)]? {
        var fields: [(text: String, wildcard: Bool)] = []
        var current = "", escapedAny = false, escaping = false
        for character in line {
            if escaping {
                current.append(character)
                escaping = false
            } else if character == "\\" {
                escaping = true
                escapedAny = true
            } else if character == ":" {
                fields.append((current, current == "*" && !escapedAny))
                if fields.count == 5 { return fields }
                current = ""
                escapedAny = false
            } else {
                current.append(character)
            }
        }
        if escaping { current.append("\\") }
        fields.append((current, current == "*" && !escapedAny))
        return fields
    }
}
