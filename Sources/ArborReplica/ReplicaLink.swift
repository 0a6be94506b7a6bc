import ArborServer
import Logging
import ServiceLifecycle

/// The replica's father link, replaceable: discovery may find the father at other URLs, and
/// the link then restarts with the new server list (its positions are in the database, so a
/// restart loses nothing). No link runs while no father server is known.
///
/// The replica calls it from one task at a time (open, then its discovery loop, then close).
actor ReplicaLink {
    private let context: SiteContext
    private let baseSettings: FatherLinkSettings
    private let connection: CenterConnection
    private let logger: Logger
    private var running: (group: ServiceGroup, task: Task<Void, any Error>)?
    /// The servers of the running link; empty when none runs.
    private(set) var servers: [String] = []

    init(context: SiteContext, settings: FatherLinkSettings, connection: CenterConnection, logger: Logger) {
        self.context = context
        baseSettings = settings
        self.connection = connection
        self.logger = logger
    }

    /// Runs the link with `servers` (deduplicated, in order), replacing one with other servers;
    /// nothing when they are the ones running or none are given.
    func run(servers given: [String]) async throws {
        var unique: [String] = []
        for server in given where !unique.contains(server) { unique.append(server) }
        guard !unique.isEmpty, unique != servers else { return }
        var settings = baseSettings
        settings.servers = unique
        let link = try FatherLink(context: context, settings: settings, connection: connection)
        await stop()
        let group = ServiceGroup(configuration: .init(services: [link], logger: logger))
        running = (group, Task { try await group.run() })
        servers = unique
        logger.info("replica link runs with father servers \(unique.joined(separator: ", "))")
    }

    /// Stops the running link, if any (gracefully: what it applied stays applied).
    func stop() async {
        guard let current = running else { return }
        running = nil
        servers = []
        await current.group.triggerGracefulShutdown()
        _ = try? await current.task.value
    }
}
