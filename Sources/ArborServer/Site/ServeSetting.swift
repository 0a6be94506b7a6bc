/// One setting of `arbor serve`: its key in the JSON file, its environment variable, an example
/// value and what it means. ``ServeConfiguration/settings`` is the one list: the environment
/// is read from it and `arbor serve --help` is printed from it.
public struct ServeSetting: Sendable, Equatable {
    /// The key in the `--config` file (and the property of ``ServeConfiguration``).
    public let key: String
    /// The `ARBOR_*` variable that overrides the file's key.
    public let variable: String
    /// An example value, written as in the JSON file.
    public let example: String
    /// What it means, in one line.
    public let summary: String

    public init(_ key: String, _ variable: String, example: String, _ summary: String) {
        self.key = key
        self.variable = variable
        self.example = example
        self.summary = summary
    }

    /// The settings as help text: one line per key with its variable and example, then its meaning.
    public static func helpText(_ settings: [ServeSetting]) -> String {
        settings.map { "  \($0.key) (\($0.variable)), e.g. \($0.example)\n      \($0.summary)" }.joined(separator: "\n")
    }
}
