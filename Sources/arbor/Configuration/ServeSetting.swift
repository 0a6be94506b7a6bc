/// One setting of `arbor serve`: its key in the JSON file, its environment variable, an example
/// value and what it means. ``ServeConfiguration/settings`` is the one list: the file and the
/// environment are read by its types, and `arbor serve --help` is printed from it.
struct ServeSetting: Sendable {
    /// The key in the `--config` file (and the property of ``ServeConfiguration``).
    let key: String
    /// The `ARBOR_*` variable that overrides the file's key.
    let variable: String
    /// Its type and the property of ``ServeConfiguration`` it sets.
    let field: ServeSettingField
    /// An example value, written as in the JSON file.
    let example: String
    /// What it means, in one line.
    let summary: String

    init(_ key: String, _ variable: String, _ field: ServeSettingField, example: String, _ summary: String) {
        self.key = key
        self.variable = variable
        self.field = field
        self.example = example
        self.summary = summary
    }

    /// The settings as help text: one line per key with its variable and example, then its meaning.
    static func helpText(_ settings: [ServeSetting]) -> String {
        settings.map { "  \($0.key) (\($0.variable)), e.g. \($0.example)\n      \($0.summary)" }.joined(separator: "\n")
    }
}
