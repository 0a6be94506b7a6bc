import Foundation

/// One step of a nemesis run. Sites and processes are named by their index in the topology.
public enum NemesisOperation: Hashable, Sendable, CustomStringConvertible {
    /// A new `Customer` with a unique name, written at a process.
    case create(process: Int, techId: UUID, topics: String, name: String)
    /// A field update with a unique value.
    case update(process: Int, techId: UUID, field: String, value: String)
    /// A change of the topics list (the entity may move into or out of slices).
    case move(process: Int, techId: UUID, topics: String)
    /// A logical delete.
    case delete(process: Int, techId: UUID)
    /// SIGKILL of a process; it stays down until `.restart`.
    case kill(process: Int)
    /// Starts a killed process again.
    case restart(process: Int)
    /// Cuts a son site's connection to its father (a partition), until `.heal`.
    case cut(site: Int)
    /// Restores a cut link.
    case heal(site: Int)
    /// Lets replication run for a while.
    case pause(milliseconds: Int)

    public var description: String {
        switch self {
        case .create(let process, let id, let topics, let name): "create p\(process) \(id.uuidString.prefix(8)) \(topics) \(name)"
        case .update(let process, let id, let field, let value): "update p\(process) \(id.uuidString.prefix(8)) \(field)=\(value)"
        case .move(let process, let id, let topics): "move p\(process) \(id.uuidString.prefix(8)) \(topics)"
        case .delete(let process, let id): "delete p\(process) \(id.uuidString.prefix(8))"
        case .kill(let process): "kill -9 p\(process)"
        case .restart(let process): "restart p\(process)"
        case .cut(let site): "cut s\(site)"
        case .heal(let site): "heal s\(site)"
        case .pause(let milliseconds): "pause \(milliseconds) ms"
        }
    }
}

/// The tree a nemesis run drives: sites (the center first), each with a father, the slice
/// it subscribes with and how many server processes serve it.
public struct NemesisTopology: Sendable {
    public struct Site: Sendable {
        public var name: String
        public var father: Int?
        public var fatherSlice: String?
        public var processes: Int

        public init(name: String, father: Int? = nil, fatherSlice: String? = nil, processes: Int = 1) {
            self.name = name
            self.father = father
            self.fatherSlice = fatherSlice
            self.processes = processes
        }
    }

    public var sites: [Site]
    /// Application topics entities are given (some selected by no son).
    public var topics: [String]

    public init(sites: [Site], topics: [String]) {
        self.sites = sites
        self.topics = topics
    }

    /// The tree: a center, two branches (east served by two processes) and a leaf under east.
    public static let standard = NemesisTopology(
        sites: [
            Site(name: "center"),
            Site(name: "east", father: 0, fatherSlice: "east+shared", processes: 2),
            Site(name: "west", father: 0, fatherSlice: "west+shared"),
            Site(name: "leaf", father: 1, fatherSlice: "shared"),
        ],
        topics: ["east", "west", "shared", "archive"]
    )

    /// Every process as (site index, process number at that site), in a fixed order.
    public var processes: [(site: Int, number: Int)] {
        sites.indices.flatMap { site in (0..<sites[site].processes).map { (site, $0) } }
    }

    /// The father slices from the center down to `site` (empty for the center).
    public func path(to site: Int) -> [String] {
        var slices: [String] = []
        var current = site
        while let father = sites[current].father, let slice = sites[current].fatherSlice {
            slices.insert(slice, at: 0)
            current = father
        }
        return slices
    }
}
