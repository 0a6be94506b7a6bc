/// The delta server's routing rules: which delta goes to which client, and how delivering it
/// changes the client's registration (§2.1.3, §2.5, §2.6; DESIGN rules 1, 4, 5, 8).
///
/// A pure function of the delta, the client and the client's registration on the entity; the
/// caller threads registration changes through a batch and persists them on acknowledgement
/// (``FetchRoutingStateMachine``).
public enum DeltaRouter {
    /// Decides whether `delta` is sent to `client`.
    ///
    /// - Parameter registration: the client's state on the delta's entity; ignored for
    ///   unregistered clients, which have none.
    public static func route(_ delta: Delta, to client: RoutingClient, registration: RegistrationState) -> RoutingDecision {
        // A DELETE (a purge, or a drop of what this site's slice left) goes to registered clients:
        // a son holding the entity drops it too, since no change of it reaches the son through
        // this site any more (a kept copy would go stale); one that lacks it ignores it. The
        // registrations went with the purge, so it cannot be narrowed to those registered on it.
        // Unregistered clients (a father reading a son's log) never get one: cache servers read
        // purges from the log themselves (§2.5, rule 8).
        if delta.operation == .delete { return client.isRegistered ? .deliver(nil) : .skip(.purgeOnly) }
        let topics = delta.topics.deltaServerTopics
        // Selection is the slice evaluator's answer, as for loads (rule 1): `T1*!T2+T3`
        // selects `,T2,T3,`, so `!T` is no global block.
        // Same as `selectsInSteadyState(delta.topics)`, reusing the topics set built above.
        let selected = client.slice.selects(topics: topics, updateTime: .zero, mode: .steadyState)
        guard client.isRegistered else { return routeUnregistered(delta.operation, selected: selected) }
        if !selected, registration != .unregistered, delta.operation != .register,
           let withheld = withholdByNegation(topics: topics, client: client) {
            return withheld
        }
        return routeRegistered(delta, topics: topics, to: client, registration: registration, selected: selected)
    }

    /// The `!T` exception of §2.1.3 (rule 1), for a delta the client would get only because it
    /// is registered on an entity its slice does not select: nil when the delta carries none of
    /// the slice's negated topics.
    ///
    /// A negated site topic (`arbor.notson.<id>`, loop prevention) means the delta came from
    /// that very son, which holds the change: it is withheld and nothing changes. A negated
    /// application topic withholds the delta from an application edge and makes it
    /// registered-unsynchronized, so its next delivery on the entity is a FULL (a later PARTIAL
    /// alone would leave it stale). A son gets the delta as any registered client would: it
    /// learns so that the entity gained a topic its slice negates, drops it and unregisters
    /// (withheld, its copy would stay stale for good).
    static func withholdByNegation(topics: Set<String>, client: RoutingClient) -> RoutingDecision? {
        let carried = client.negatedTopics.intersection(topics)
        guard !carried.isEmpty else { return nil }
        if carried.contains(where: SiteTopics.isSiteTopic) { return .skip(.fromThisSon) }
        return client.isSon ? nil : .withhold(.desynchronize)
    }

    /// An unregistered edge counts as synchronized on what it selects: it gets the changes
    /// themselves, never the FULL meant for clients that lack the entity, nor REGISTER (§2.1.3.1).
    static func routeUnregistered(_ operation: DeltaOperation, selected: Bool) -> RoutingDecision {
        switch operation {
        case .create, .partial, .update:
            return selected ? .deliver(nil) : .skip(.notSelected)
        case .full, .register:
            return .skip(.notForUnregisteredClients)
        case .delete:
            return .skip(.purgeOnly)
        }
    }

    static func routeRegistered(
        _ delta: Delta, topics: Set<String>, to client: RoutingClient, registration: RegistrationState, selected: Bool
    ) -> RoutingDecision {
        switch delta.operation {
        case .register:
            // Addressed by naming topic only; slices never name it, so selection is irrelevant (§2.6.3).
            guard let naming = client.namingTopic, topics.contains(naming) else {
                return .skip(.notAddressed)
            }
            return .deliver(delta.registration ?? .registerIfUnregistered)
        case .create:
            // A CREATE holds every field, so whoever receives it holds the whole entity.
            guard selected || registration != .unregistered else { return .skip(.notSelected) }
            return .deliver(.synchronize)
        case .partial, .update:
            // Registration keeps a synchronized client receiving after the entity leaves its
            // slice; anyone else cannot apply modified fields alone (§2.6.1, rule 4).
            switch registration {
            case .synchronized: return .deliver(nil)
            case .unsynchronized: return .skip(.awaitingFull)
            case .unregistered: return .skip(selected ? .awaitingFull : .notSelected)
            }
        case .full:
            switch registration {
            case .synchronized: return .skip(.alreadySynchronized)
            case .unsynchronized: return .deliver(.synchronize)
            case .unregistered: return selected ? .deliver(.synchronize) : .skip(.notSelected)
            }
        case .delete:
            return .deliver(nil)
        }
    }
}
