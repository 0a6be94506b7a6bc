import ArborCore
import ArborServer
import ArborStore
import ArborTesting
import Foundation
import Logging
import Testing

/// A site with a delta server on a fresh store of one backend, for delta-server tests.
struct DeltaServerHarness {
    let store: any SiteStore
    let context: SiteContext
    let server: DeltaServer

    /// Runs `body` with a fresh site whose clients table holds `clients`.
    static func with(
        _ backend: TestStores.Backend, settings: SiteServerSettings = SiteServerSettings(), clients: [String] = [],
        _ body: (DeltaServerHarness) async throws -> Void
    ) async throws {
        try await TestStores.withStore(backend) { store in
            let logger = Logger(label: "arbor.test.delta", factory: { _ in SwiftLogNoOpLogHandler() })
            // The routing tests fetch unregistered without a client: this site allows anonymous
            // reads (the default refusal is tested in RequestIdentityTests).
            var settings = settings
            settings.allowAnonymousReads = true
            let context = SiteContext.standard(settings: settings, store: store, connectedToCenter: { true }, logger: logger)
            for client in clients { _ = try await store.addClient(id: client, bit: nil) }
            try await context.clients.refresh()
            try await context.logTail.catchUp()
            try await body(DeltaServerHarness(store: store, context: context, server: DeltaServer(context: context)))
        }
    }

    /// Appends writes through the delta server, then lets the log tail read them.
    @discardableResult
    func write(_ writes: EntityWrite...) async throws -> Int64 {
        let response = try await server.append(writes, client: .local)
        try await context.logTail.catchUp()
        return try #require(response.sequence)
    }

    /// Creates a Customer with `topics` (comma-separated entries).
    @discardableResult
    func createCustomer(_ n: Int, topics: String...) async throws -> Int64 {
        let list = try TopicsList(topics)
        return try await write(Samples.customerCreate(id: Fixtures.id(n), topics: list))
    }

    /// Renames Customer `n` (an update: PARTIAL then FULL).
    @discardableResult
    func renameCustomer(_ n: Int, to name: String) async throws -> Int64 {
        try await write(EntityWrite(.update, entityClass: "Customer", techId: Fixtures.id(n), fields: ["name": .text(name)]))
    }

    /// A registered client that has told the site its (possibly empty) registrations.
    func registered(_ clientId: String, on entities: [Int] = []) async throws -> Int64 {
        try await server.register(client: server.inProcessClient(clientId), entities: entities.map { EntityRef("Customer", Fixtures.id($0)) })
    }

    /// A fetch that does not wait unless told.
    func fetch(_ clientId: String?, from sequence: Int64, slice: String, registered: Bool = true, waitMilliseconds: Int = 0) async throws -> DeltaBatch {
        try await server.fetch(
            client: clientId.map(server.inProcessClient),
            request: FetchRequest(fromSequence: sequence, slice: slice, registered: registered, waitMilliseconds: waitMilliseconds))
    }

    /// The persisted registration state of `clientId` on Customer `n`.
    func registration(_ clientId: String, on n: Int) async throws -> RegistrationState {
        let bit = try #require(context.clients.client(clientId)?.bit)
        return try #require(try await context.registrations.states(of: bit, on: [Fixtures.id(n)])[Fixtures.id(n)])
    }
}

extension DeltaBatch {
    /// The delivered deltas as `OPERATION@sequence`, in order (readable in failures).
    var delivered: [String] {
        buffers.flatMap { buffer in buffer.deltas.map { "\($0.operation)@\(buffer.sequence)" } }
    }
}

/// The error `body` throws, nil when it succeeds.
func serverError<T>(_ body: () async throws -> T) async -> ServerError? {
    do {
        _ = try await body()
        return nil
    } catch let error as ServerError {
        return error
    } catch {
        Issue.record("expected a ServerError, got \(error)")
        return nil
    }
}

