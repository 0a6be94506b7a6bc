import ArborStore
import ServiceLifecycle

/// Samples the lag of each link every `interval` into the process's ``SiteActivity``, for the
/// status page's chart, and forgets removed clients (in memory only: no I/O but the clock).
struct StatusSampler: Service {
    let context: SiteContext
    var interval: Duration = .seconds(2)

    func run() async throws {
        let builder = SiteStatusBuilder(context: context)
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                context.activity.recordLag(builder.lagSamples(atMicroseconds: EntitiesSubsystem.systemMicroseconds()))
                context.activity.keepOnly(clients: Set(context.clients.table.map(\.clientId)))
                try? await Task.sleep(for: interval)
            }
        }
    }
}
