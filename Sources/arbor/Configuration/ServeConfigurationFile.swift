import ArborCore
import ArborServer
import Foundation

/// A site configuration file (`--config`, a JSON object) read by the types of its settings:
/// the settings over the defaults, and the keys it gives. `arbor serve`, `self-check` and the
/// admin commands (``SiteDatabaseSources``) all read the file here.
struct ServeConfigurationFile: Sendable {
    var configuration: ServeConfiguration
    /// The keys the file gives (a default is not a value the file gave).
    var keys: Set<String>

    /// Refuses text that is not a JSON object (with the line and column), an unknown key (with
    /// the closest one), and a value of the wrong JSON type (with the type and an example).
    init(_ data: Data, named name: String) throws(ServeConfigurationError) {
        _ = try JSONObjectText.object(data, named: name)
        let decoded: Decoded
        do {
            decoded = try JSONDecoder().decode(Decoded.self, from: data)
        } catch let refusal as Refusal {
            throw ServeConfigurationError("\(name): \(refusal.message)")
        } catch {
            throw ServeConfigurationError("\(name) cannot be read: \(error)")
        }
        configuration = decoded.configuration
        keys = decoded.keys
    }

    private struct Decoded: Decodable {
        var configuration = ServeConfiguration()
        var keys: Set<String> = []

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: SettingKey.self)
            for key in container.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
                guard let setting = ServeConfiguration.setting(named: key.stringValue) else {
                    throw Refusal(message: "'\(key.stringValue)' is not a setting\(ServeConfiguration.suggestion(for: key.stringValue)); see `arbor serve --help` for every key")
                }
                do {
                    try setting.field.decode(container, key: key, into: &configuration)
                } catch {
                    let given = (try? container.decode(JSONValue.self, forKey: key))?.text ?? "another type"
                    throw Refusal(message: "'\(setting.key)' must be \(setting.field.expectedJSON), e.g. \(setting.example); got \(given)")
                }
                keys.insert(key.stringValue)
            }
        }
    }

    private struct SettingKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Why the file is refused, without its name (added by the initializer).
    private struct Refusal: Error {
        let message: String
    }
}

extension ServeConfiguration {
    /// The settings of a JSON configuration file over the defaults (the first of the three layers).
    init(file data: Data, named name: String) throws(ServeConfigurationError) {
        self = try ServeConfigurationFile(data, named: name).configuration
    }

    /// Applies the `ARBOR_*` variables found in `environment`, each read by its setting's type
    /// (lists comma-separated).
    mutating func apply(environment: [String: String]) throws(ServeConfigurationError) {
        for setting in Self.settings {
            if let value = environment[setting.variable] { try setting.field.apply(text: value, source: "environment \(setting.variable)", to: &self) }
        }
    }
}
