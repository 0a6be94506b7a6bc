import ArborCore
import Foundation

/// Reads a `TopicsPermit` for `arbor serve` from a JSON file (§5.6, issue 11 item 2): an object
/// mapping each client id to its topics, either one array (the client reads and writes those
/// topics) or separate lists:
///
/// ```json
/// {"shop-12": ["east", "all-branches"],
///  "till-3": {"read": ["east", "all-branches"], "write": ["east"]}}
/// ```
///
/// With such a file, a client not listed (and a request without a client id) may use no slice
/// and write nothing.
public enum TopicsPermitFile {
    /// The keys of a client's object form; both are required.
    static let readKey = "read", writeKey = "write"

    /// The permit in `path`; errors name the file and the entry that is wrong.
    public static func read(_ path: String) throws(TopicsPermitFileError) -> TopicsPermit {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw TopicsPermitFileError("cannot read the permits file \(path): check that it exists and is readable")
        }
        return try parse(data, named: path)
    }

    /// The permit in `data`, a JSON object of client id → topics (an array, or an object with
    /// `read` and `write` arrays).
    public static func parse(_ data: Data, named name: String) throws(TopicsPermitFileError) -> TopicsPermit {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw TopicsPermitFileError("the permits file \(name) is not a JSON object of client id → topics, e.g. {\"shop-12\": [\"east\"]}")
        }
        var read: [String: Set<String>] = [:], write: [String: Set<String>] = [:]
        for (clientId, value) in object {
            let entry = "the permits file \(name): client '\(clientId)'"
            if value is [Any] {
                let topics = try topics(value, of: "\(entry)")
                read[clientId] = topics
                write[clientId] = topics
            } else if let lists = value as? [String: Any] {
                if let unknown = lists.keys.sorted().first(where: { $0 != readKey && $0 != writeKey }) {
                    throw TopicsPermitFileError("\(entry) has an unknown key '\(unknown)': only \"read\" and \"write\" are allowed")
                }
                for key in [readKey, writeKey] where lists[key] == nil {
                    throw TopicsPermitFileError("\(entry) has no \"\(key)\" list: give both \"read\" and \"write\" (use [] for none), e.g. {\"read\": [\"east\"], \"write\": [\"east\"]}")
                }
                read[clientId] = try topics(lists[readKey]!, of: "\(entry), \"read\"")
                write[clientId] = try topics(lists[writeKey]!, of: "\(entry), \"write\"")
            } else {
                throw TopicsPermitFileError("\(entry) must map to an array of topic names, e.g. [\"east\"], or to {\"read\": [...], \"write\": [...]}")
            }
        }
        return TopicsPermit(read: read, write: write)
    }

    /// The topics of one list: an array of valid topic names (a leading `#` is allowed, for the
    /// site topics a son's link names).
    private static func topics(_ value: Any, of entry: String) throws(TopicsPermitFileError) -> Set<String> {
        guard let names = value as? [String] else {
            throw TopicsPermitFileError("\(entry) must be an array of topic names (strings), e.g. [\"east\"]")
        }
        for topic in names {
            do { try Topic.validate(topic.hasPrefix("#") ? String(topic.dropFirst()) : topic) } catch {
                throw TopicsPermitFileError("\(entry) lists '\(topic)', which is not a topic name: \(error)")
            }
        }
        return Set(names)
    }
}

/// Why a permits file cannot be used.
public struct TopicsPermitFileError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
