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
    /// Restarts every process of a son site with a new father slice (§2.3).
    case changeSlice(site: Int, slice: String)
    /// `arbor backup` of a serving SQLite site.
    case backup(site: Int)
    /// Stops a site, puts its last backup in place of its database and starts it again.
    case restore(site: Int)
    /// Stops a site, deletes its database, `arbor init`s a new one (with its clients) and starts it.
    case rebuild(site: Int)
    /// Stops every process of a site, `arbor schema apply`s the additive successor schema
    /// (Customer gains `phone`) and starts them on it (center first, fathers before sons).
    case upgradeSchema(site: Int)

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
        case .changeSlice(let site, let slice): "slice s\(site) \(slice)"
        case .backup(let site): "backup s\(site)"
        case .restore(let site): "restore s\(site)"
        case .rebuild(let site): "rebuild s\(site)"
        case .upgradeSchema(let site): "upgrade s\(site)"
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
        /// Slices the nemesis may switch the son to (the first is `fatherSlice`'s usual value).
        public var sliceChoices: [String]

        public init(name: String, father: Int? = nil, fatherSlice: String? = nil, processes: Int = 1, sliceChoices: [String] = []) {
            self.name = name
            self.father = father
            self.fatherSlice = fatherSlice
            self.processes = processes
            self.sliceChoices = sliceChoices
        }
    }

    public var sites: [Site]
    /// Application topics entities are given (some selected by no son).
    public var topics: [String]

    public init(sites: [Site], topics: [String]) {
        self.sites = sites
        self.topics = topics
    }

    /// The tree: a center, two branches (east served by two processes) and a leaf under
    /// east. Slices that negate `hold` (west's from the start) make sons drop entities that
    /// gain it, wherever the write was made (DESIGN rule 1).
    public static let standard = NemesisTopology(
        sites: [
            Site(name: "center"),
            Site(name: "east", father: 0, fatherSlice: "east+shared", processes: 2,
                 sliceChoices: ["east+shared", "east+shared+archive", "east", "east+shared*!hold"]),
            Site(name: "west", father: 0, fatherSlice: "west+shared*!hold",
                 sliceChoices: ["west+shared*!hold", "west", "west+shared+archive", "west+shared"]),
            Site(name: "leaf", father: 1, fatherSlice: "shared", sliceChoices: ["shared", "shared+east", "east", "shared*!hold"]),
        ],
        topics: ["east", "west", "shared", "archive", "hold"]
    )

    /// Every process as (site index, process number at that site), in a fixed order.
    public var processes: [(site: Int, number: Int)] {
        sites.indices.flatMap { site in (0..<sites[site].processes).map { (site, $0) } }
    }

    /// The father slices from the center down to `site` (empty for the center); `current`
    /// overrides sites' slices by index (after slice changes).
    public func path(to site: Int, current: [Int: String] = [:]) -> [String] {
        var slices: [String] = []
        var index = site
        while let father = sites[index].father, let slice = current[index] ?? sites[index].fatherSlice {
            slices.insert(slice, at: 0)
            index = father
        }
        return slices
    }

    /// Whether some site has `site` as its father.
    public func hasSons(_ site: Int) -> Bool { sites.contains { $0.father == site } }
}
