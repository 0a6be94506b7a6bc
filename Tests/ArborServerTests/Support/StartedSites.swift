import Synchronization

/// The linked sites one test starts, stopped when the test ends (last started first) whether
/// it passed or threw, so a failing test leaves no server or store behind.
final class StartedSites: Sendable {
    private let sites = Mutex<[LinkedSite]>([])

    /// Keeps `site` for the end of the test; returns it.
    @discardableResult
    func keep(_ site: LinkedSite) -> LinkedSite {
        sites.withLock { $0.append(site) }
        return site
    }

    /// Stops `site` now keeping its data (for a restart), and no longer stops it at the end.
    func stopKeepingData(_ site: LinkedSite) async {
        sites.withLock { $0.removeAll { $0 === site } }
        await site.stop(keepData: true)
    }

    /// Runs `body`, then stops every kept site.
    static func run(_ body: (StartedSites) async throws -> Void) async throws {
        let started = StartedSites()
        do {
            try await body(started)
        } catch {
            await started.stopAll()
            throw error
        }
        await started.stopAll()
    }

    private func stopAll() async {
        let kept = sites.withLock { sites in
            defer { sites.removeAll() }
            return sites
        }
        for site in kept.reversed() { await site.stop() }
    }
}
