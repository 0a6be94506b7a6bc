import Foundation

/// The lines of a systemd unit file the deployment tests run: its `EnvironmentFile=`,
/// `ExecStartPre=` and `ExecStart=` values, turned into argument lists the way systemd does for
/// these units (words split on blanks, `%i` the instance, `${NAME}` and `$NAME` from the
/// environment file), so the tests run the commands as written in `Deploy/`, not a copy.
struct SystemdUnit {
    let text: String

    init(file: URL) throws {
        text = try String(contentsOf: file, encoding: .utf8)
    }

    /// Every value of `key` in the `[Service]` section, in order.
    func values(_ key: String) -> [String] {
        text.split(separator: "\n").compactMap { line in
            guard line.hasPrefix(key + "=") else { return nil }
            return String(line.dropFirst(key.count + 1))
        }
    }

    /// The command lines of `key` (`ExecStartPre`, `ExecStart`) for `instance`, with
    /// `environment` expanded. systemd's `-`, `@`, `+` and `!` prefixes are not used by these units.
    func commands(_ key: String, instance: String? = nil, environment: [String: String]) throws -> [[String]] {
        try values(key).map { line in
            var line = line
            if let instance { line = line.replacingOccurrences(of: "%i", with: instance) }
            guard !line.contains("%"), let first = line.first, !"-@+!".contains(first) else {
                throw SystemdUnitError("\(key)=\(line): a specifier or prefix the deployment tests do not expand")
            }
            return line.split(separator: " ").map { Self.expand(String($0), environment) }
        }
    }

    /// `${NAME}` and `$NAME` replaced by their values (empty when unset), as systemd does.
    static func expand(_ word: String, _ environment: [String: String]) -> String {
        var result = "", rest = Substring(word)
        while let dollar = rest.firstIndex(of: "$") {
            result += rest[..<dollar]
            rest = rest[rest.index(after: dollar)...]
            let braced = rest.first == "{"
            if braced { rest = rest.dropFirst() }
            let name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            rest = rest.dropFirst(name.count)
            if braced, rest.first == "}" { rest = rest.dropFirst() }
            result += environment[String(name)] ?? ""
        }
        return result + rest
    }

    /// The variables of an `EnvironmentFile=` (KEY=VALUE lines; `#` comments).
    static func environmentFile(_ file: URL) throws -> [String: String] {
        var variables: [String: String] = [:]
        for line in try String(contentsOf: file, encoding: .utf8).split(separator: "\n") {
            let line = line.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#"), let equals = line.firstIndex(of: "=") else { continue }
            variables[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return variables
    }
}

struct SystemdUnitError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
