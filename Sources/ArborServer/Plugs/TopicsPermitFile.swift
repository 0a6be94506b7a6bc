import Foundation

/// Reads a `TopicsPermit` for `arbor serve` from a JSON file (§5.6): an object mapping each
/// client id to the topics its slices may name, e.g. `{"shop-12": ["east", "all-branches"]}`.
/// With such a file, a client not listed (and a request without a client id) may use no slice.
public enum TopicsPermitFile {
    /// The permit in `path`; errors name the file and the entry that is wrong.
    public static func read(_ path: String) throws(TopicsPermitFileError) -> TopicsPermit {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw TopicsPermitFileError("cannot read the permits file \(path): check that it exists and is readable")
        }
        return try parse(data, named: path)
    }

    /// The permit in `data`, a JSON object of client id → array of topic names.
    public static func parse(_ data: Data, named name: String) throws(TopicsPermitFileError) -> TopicsPermit {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw TopicsPermitFileError("the permits file \(name) is not a JSON object of client id → array of topics")
        }
        var allowed: [String: Set<String>] = [:]
        for (clientId, value) in object {
            guard let topics = value as? [String] else {
                throw TopicsPermitFileError("the permits file \(name): client '\(clientId)' must map to an array of topic names, e.g. [\"east\"]")
            }
            allowed[clientId] = Set(topics)
        }
        return TopicsPermit(allowed)
    }
}

/// Why a permits file cannot be used.
public struct TopicsPermitFileError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
