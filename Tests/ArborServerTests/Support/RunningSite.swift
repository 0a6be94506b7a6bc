import ArborCore
import ArborServer
import ArborStore
import ArborTesting
import Foundation
import Logging
import ServiceLifecycle

/// A site served in-process on a loopback port, for HTTP-level tests; always stopped by `stop()`.
final class RunningSite: Sendable {
    let store: any SiteStore
    let place: TestStores.Place
    let context: SiteContext
    let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    var baseURL: String { "http://127.0.0.1:\(port)" }

    private init(store: any SiteStore, place: TestStores.Place, context: SiteContext, port: Int, group: ServiceGroup, task: Task<Void, any Error>) {
        self.store = store
        self.place = place
        self.context = context
        self.port = port
        self.group = group
        self.task = task
    }

    /// Starts a site on a fresh store of `backend` (or on `reuse`, to model a restart).
    static func start(
        _ backend: TestStores.Backend, siteName: String = "center", settings: SiteServerSettings = SiteServerSettings(),
        reuse: (place: TestStores.Place, prefix: TablePrefix)? = nil
    ) async throws -> RunningSite {
        let place = try reuse?.place ?? TestStores.place(backend)
        let store = try await TestStores.open(place, prefix: reuse?.prefix ?? TestStores.randomPrefix(), siteName: siteName)
        let logger = Logger(label: "test.site", factory: { _ in SwiftLogNoOpLogHandler() })
        let context = SiteContext.standard(settings: settings, store: store, connectedToCenter: { siteName == "center" }, logger: logger)
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let service = try SiteApplication(context: context, port: 0).makeService { port in portContinuation.yield(port) }
        let group = ServiceGroup(configuration: .init(services: [service], logger: logger))
        let task = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw TestStoreError("the site did not start listening") }
        return RunningSite(store: store, place: place, context: context, port: port, group: group, task: task)
    }

    /// Stops serving; with `keepData` the store's tables stay for a restart.
    func stop(keepData: Bool = false) async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
        if keepData {
            await store.close()
        } else {
            await TestStores.remove(store, place)
        }
    }
}
