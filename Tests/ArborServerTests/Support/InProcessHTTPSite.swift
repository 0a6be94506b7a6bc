import ArborServer
import ArborStore
import ArborTesting
import Logging
import ServiceLifecycle
import Testing

/// A site context served over HTTP in the test process, for tests of what a request is answered.
enum InProcessHTTPSite {
    /// Serves `context` on a free loopback port while `body` runs with its base URL; always stops
    /// the server and removes `store` at `place`, whether `body` throws or not.
    static func serving(
        _ context: SiteContext, store: any SiteStore, place: TestStores.Place, logger: Logger, _ body: (String) async throws -> Void
    ) async throws {
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let group: ServiceGroup
        do {
            let service = try SiteApplication(context: context, port: 0).makeService { port in portContinuation.yield(port) }
            group = ServiceGroup(configuration: .init(services: [service], logger: logger))
        } catch {
            await TestStores.remove(store, place)
            throw error
        }
        let task = Task { try await group.run() }
        do {
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            try await body("http://127.0.0.1:\(port)")
        } catch {
            await group.triggerGracefulShutdown()
            _ = try? await task.value
            await TestStores.remove(store, place)
            throw error
        }
        await group.triggerGracefulShutdown()
        _ = try? await task.value
        await TestStores.remove(store, place)
    }
}
