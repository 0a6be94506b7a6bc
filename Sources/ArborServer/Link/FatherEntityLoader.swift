import ArborCore
import ArborEdge
import ArborStore
import AsyncHTTPClient
import Logging

/// Loads from this site's father, whole, the entities one of its sons changed while this site
/// did not hold them (its slice was just widened and not loaded yet, it dropped them a moment
/// before, it was restored): the son's change is then merged and goes up, instead of being
/// dropped while the son believes it uploaded (issue 10).
///
/// A targeted registering load (``EntityLoadRequest``): this site becomes registered on them
/// at its father, so it hears their later changes; one its slice negates is dropped again once
/// the son's change is uploaded (``FatherLink/dropBlockedEntities(uploaded:appliedThrough:fatherSequence:)``).
/// Every server process of a site has one (a son may upload to any of them), each request with
/// its own HTTP client: it is needed seldom.
public struct FatherEntityLoader: Sendable {
    let settings: FatherLinkSettings
    let configuration: EdgeConfiguration
    let logger: Logger

    /// A loader reaching the father as `settings` say; throws `InvalidConfiguration` as the link does.
    public init(settings: FatherLinkSettings, schema: DistributionSchema, limits: WriteLimits, logger: Logger) throws(EdgeError) {
        try settings.validate()
        self.settings = settings
        configuration = try settings.edgeConfiguration(schema: schema, limits: limits)
        self.logger = logger
    }

    /// Loads `keys` from the father and merges them as `.father` into `entities`; returns those
    /// the father sent (it holds no others). Throws when the father cannot be asked.
    func load(_ keys: Set<EntityKey>, into entities: EntitiesSubsystem) async throws -> Set<EntityKey> {
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: Edge.failoverClientConfiguration(trustRoots: settings.trustRoots, clientCertificate: settings.clientCertificate)
        )
        do {
            let edge = Edge(configuration: configuration, httpClient: client, logger: logger)
            let sent = try await edge.mergeRegisteringLoad(of: keys, slice: settings.linkSlice, into: entities).keys
            try await client.shutdown()
            return Set(sent)
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}
