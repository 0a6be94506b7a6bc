import Foundation
import ArborCore
import ArborServer
import ArborStore
import ArborTesting
import Testing

/// The errors a client can meet at the delta server, and `append`.
@Suite struct DeltaServerErrorTests {
    @Test(arguments: TestStores.available)
    func clientsTableErrors(backend: TestStores.Backend) async throws {
        try await DeltaServerHarness.with(backend, clients: ["b1", "off"]) { site in
            try await site.store.setClientDisabled(id: "off", disabled: true)
            try await site.context.clients.refresh()
            let unknown = await serverError { try await site.server.fetch(client: site.server.inProcessClient("nobody"), request: FetchRequest(fromSequence: 0, slice: "A", registered: true)) }
            #expect(unknown?.code == .unknownClient)
            let anonymous = await serverError { try await site.server.fetch(client: nil, request: FetchRequest(fromSequence: 0, slice: "A", registered: true)) }
            #expect(anonymous?.code == .notAuthenticated, "a registered fetch needs a client, even where anonymous reads are allowed")
            let disabled = await serverError { try await site.server.fetch(client: site.server.inProcessClient("off"), request: FetchRequest(fromSequence: 0, slice: "A", registered: true)) }
            #expect(disabled?.code == .clientDisabled)
            let disabledUnregistered = await serverError {
                try await site.server.fetch(client: site.server.inProcessClient("off"), request: FetchRequest(fromSequence: 0, slice: "A", registered: false, waitMilliseconds: 0))
            }
            #expect(disabledUnregistered?.code == .clientDisabled)
            let registerDisabled = await serverError { try await site.server.register(client: site.server.inProcessClient("off"), entities: []) }
            #expect(registerDisabled?.code == .clientDisabled)
            let registerUnknown = await serverError { try await site.server.unregister(client: site.server.inProcessClient("nobody"), entities: [], sequence: 0) }
            #expect(registerUnknown?.code == .unknownClient)
            // An id that is not in the table is no client at all, registered or not (issue 11).
            let stranger = await serverError { try await site.fetch("stranger", from: 0, slice: "A", registered: false) }
            #expect(stranger?.code == .unknownClient)
        }
    }

    @Test(arguments: TestStores.available)
    func aBadSliceIsSliceSyntaxWithTheParsersMessage(backend: TestStores.Backend) async throws {
        try await DeltaServerHarness.with(backend, clients: ["b1"]) { site in
            let error = await serverError { try await site.server.fetch(client: site.server.inProcessClient("b1"), request: FetchRequest(fromSequence: 0, slice: "A+(B", registered: true)) }
            #expect(error?.code == .sliceSyntax)
            #expect(error?.message.contains("A+(B") == true, "\(String(describing: error))")
        }
    }

    @Test(arguments: TestStores.available)
    func aClientWhoseRegistrationsAreUnknownIsNotRegistered(backend: TestStores.Backend) async throws {
        try await DeltaServerHarness.with(backend, clients: ["b1"]) { site in
            let error = await serverError { try await site.server.fetch(client: site.server.inProcessClient("b1"), request: FetchRequest(fromSequence: 0, slice: "A", registered: true)) }
            #expect(error?.code == .notRegistered)
            #expect(error?.message.contains("RegisterEntities") == true)
            let sequence = try await site.registered("b1")
            #expect(try await site.fetch("b1", from: sequence, slice: "A") == DeltaBatch(buffers: [], sequence: sequence))
        }
    }

    @Test(arguments: TestStores.available)
    func positionsOutsideTheRetainedLogAreRefused(backend: TestStores.Backend) async throws {
        try await DeltaServerHarness.with(backend, settings: SiteServerSettings(retainedSequences: 2)) { site in
            for n in 1...5 { try await site.createCustomer(n, topics: "A") }
            let behind = await serverError { try await site.server.fetch(client: nil, request: FetchRequest(fromSequence: 2, slice: "A", registered: false)) }
            #expect(behind?.code == .tooFarBehind)
            #expect(behind?.message.contains("SyncLoad") == true)
            let retained = try await site.fetch(nil, from: 3, slice: "A", registered: false)
            #expect(retained.delivered == ["CREATE@4", "CREATE@5"])
            // Beyond the end: refused (answering it empty would leave the client there forever).
            let ahead = await serverError { try await site.server.fetch(client: nil, request: FetchRequest(fromSequence: 6, slice: "A", registered: false)) }
            #expect(ahead?.code == .logReplaced)
            #expect(ahead?.message.contains("SyncLoad") == true)
            let negative = await serverError { try await site.server.fetch(client: nil, request: FetchRequest(fromSequence: -1, slice: "A", registered: false)) }
            #expect(negative?.code == .badRequest)
        }
    }

    /// A restored site reuses sequence numbers its clients fetched through: a position is judged
    /// by the log it belongs to, not by its number.
    @Test(arguments: TestStores.available)
    func aPositionOfAnotherLogIsLogReplaced(backend: TestStores.Backend) async throws {
        try await DeltaServerHarness.with(backend) { site in
            for n in 1...3 { try await site.createCustomer(n, topics: "A") }
            let log = try await SiteIncarnation.ensure(in: site.store)
            let same = try await site.server.fetch(client: nil, request: FetchRequest(fromSequence: 1, slice: "A", registered: false, logIncarnation: log))
            #expect(same.sequence == 3)
            let other = UUID()
            let replaced = await serverError {
                try await site.server.fetch(client: nil, request: FetchRequest(fromSequence: 1, slice: "A", registered: false, logIncarnation: other))
            }
            #expect(replaced?.code == .logReplaced)
            #expect(replaced?.message.contains(other.uuidString.lowercased()) == true && replaced?.message.contains(log.uuidString.lowercased()) == true, "\(String(describing: replaced))")
            #expect(ArborErrorCode.logReplaced.httpStatus == 410 && ArborErrorCode.all.contains(.logReplaced))
        }
    }

    @Test(arguments: TestStores.available)
    func registeringAnUnknownClassIsABadRequest(backend: TestStores.Backend) async throws {
        try await DeltaServerHarness.with(backend, clients: ["b1"]) { site in
            let error = await serverError { try await site.server.register(client: site.server.inProcessClient("b1"), entities: [EntityRef("Planet", Fixtures.id(1))]) }
            #expect(error?.code == .badRequest)
            let known = await serverError { try await site.server.fetch(client: site.server.inProcessClient("b1"), request: FetchRequest(fromSequence: 0, slice: "A", registered: true)) }
            #expect(known?.code == .notRegistered, "a refused registration marks nothing")
        }
    }

    @Test(arguments: TestStores.available)
    func appendReportsOutcomesAndRefusesBadInputWholly(backend: TestStores.Backend) async throws {
        try await DeltaServerHarness.with(backend) { site in
            let created = try await site.server.append([Samples.customerCreate(id: Fixtures.id(1))], client: .local)
            #expect(created == AppendResponse(sequence: 1, outcomes: ["created"]))
            let bad = await serverError {
                try await site.server.append([
                    Samples.customerCreate(id: Fixtures.id(2)),
                    EntityWrite(.update, entityClass: "Customer", techId: Fixtures.id(1), fields: ["shoeSize": .int(44)]),
                ], client: .local)
            }
            #expect(bad?.code == .badRequest)
            #expect(bad?.message.contains("shoeSize") == true, "\(String(describing: bad))")
            #expect(try await site.store.lastSequence() == 1, "nothing of the refused transaction is written")
            #expect(try await site.store.entities([EntityKey("Customer", Fixtures.id(2))]).isEmpty)
            let missing = await serverError {
                try await site.server.append([EntityWrite(.update, entityClass: "Customer", techId: Fixtures.id(3), fields: ["name": .text("X")])], client: .local)
            }
            #expect(missing?.code == .notFound)
            let updated = try await site.server.append([
                EntityWrite(.update, entityClass: "Customer", techId: Fixtures.id(1), fields: ["name": .text("Bea")]),
            ], client: .local)
            #expect(updated == AppendResponse(sequence: 2, outcomes: ["accepted"]))
        }
    }
}
