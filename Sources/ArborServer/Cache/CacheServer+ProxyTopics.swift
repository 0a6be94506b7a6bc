import ArborCore
import ArborStore

extension CacheServer {
    /// The checks of a load (``admit(_:slice:)``), then, at a proxy with selective
    /// distribution (§8.3), the slice's topics are added to the site's subscription and the
    /// load waits until the site receives them, so it answers with their entities.
    func admitLoad(_ client: AuthenticatedClient, slice text: String) async throws(ServerError) -> (AuthenticatedClient, TopicsSlice) {
        let (client, slice) = try await admit(client, slice: text)
        try await context.proxyTopics?.awaitTopics(of: slice)
        return (client, slice)
    }
}
