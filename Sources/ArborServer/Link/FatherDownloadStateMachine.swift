import ArborCore

/// How the link sees one failed step, classified from the error by the I/O layer.
enum LinkFailure: Hashable, Sendable {
    /// No father server answered, or one failed (5xx): try the same step again later.
    case unreachable(String)
    /// The son's position is older than the father's retained log (§2.4).
    case tooFarBehind
    /// The father holds no registrations for the son (its servers were reset, §2.4).
    case notRegistered
    /// The father's log does not hold the son's position (its database was replaced).
    case positionUnknown(String)
    /// The father's log is another one than the son's position belongs to (`LogReplaced`: the
    /// father was restored from an older backup or rebuilt), so its registrations of the son are
    /// old too.
    case logReplaced(String)
    /// The father refused the son: protocol version, schema name, clients table, permit or
    /// slice. An operator must act; retrying soon does not help.
    case refused(code: String, message: String)
    /// An operator at the father disabled this son's client (`ClientDisabled`): nothing is
    /// misconfigured, and the link must resume soon after the client is enabled again.
    case disabled(String)
    /// Applying or recording at this site failed.
    case localFailure(String)
}

/// The download half of a son's link (§2.4, §2.5, §2.6; DESIGN rule 9), without I/O: which
/// load or fetch comes next, and how each failure is recovered.
///
/// The position the son applied is stored with the data; at start the machine asks for it
/// (`readPosition`), then resumes with SkipLoad, or loads from scratch the first time. Time is
/// passed in: `fetched(atMicroseconds:)` records the last transmission, used to SyncLoad
/// after the son fell too far behind.
struct FatherDownloadStateMachine: Sendable {
    /// What the link does next.
    indirect enum Action: Hashable, Sendable {
        /// Read the applied position and the last transmission time from the site state.
        case readPosition
        /// The first connection of an empty son: FullLoad the slice.
        case fullLoad
        /// Register every entity the son holds, and SyncLoad the slice and them since the epoch.
        /// `fatherLostData`: the father's log was replaced or lacks the son's position (it was
        /// restored or rebuilt), so what it lacks may be its own lost writes, not withheld ones.
        case syncLoadRegistering(fatherLostData: Bool)
        /// A known son resumes where it stopped.
        case skipLoad(lastSequence: Int64)
        /// A known son whose configured slice differs from the one it last subscribed with
        /// (`oldSlice`): resume at `lastSequence` on the old slice, then change it (§2.3).
        case changeSlice(oldSlice: String, lastSequence: Int64)
        /// Everything of the slice or registered changed since `since`.
        case syncLoad(since: HybridTimestamp)
        /// Fetch deltas after the edge's sequence and apply them.
        case fetch
        /// Pause, then do `then`.
        case wait(Duration, then: Action)
    }

    private enum Phase: Hashable, Sendable {
        case starting
        case loading(Action)
        case streaming
    }

    /// What is subtracted from the last transmission time before a SyncLoad, for clock
    /// differences between the sites (§2.4 "minus a few minutes").
    static let transmissionAllowanceMicroseconds: Int64 = 5 * 60 * 1_000_000
    /// Recovering loads in a row, without a fetch answered, before the machine backs off slowly.
    static let maximumRecoveries = 3

    let retryBackoff: Duration
    let refusedRetryInterval: Duration
    /// The pause while this son's client is disabled at the father (short: enabling it must show soon).
    let disabledRetryInterval: Duration
    private var phase = Phase.starting
    private var lastTransmission: Int64?
    private var recoveries = 0

    init(retryBackoff: Duration, refusedRetryInterval: Duration, disabledRetryInterval: Duration = FatherLinkSettings.defaultDisabledRetryInterval) {
        self.retryBackoff = retryBackoff
        self.refusedRetryInterval = refusedRetryInterval
        self.disabledRetryInterval = disabledRetryInterval
    }

    /// Event: the link starts (or restarts after a local failure).
    mutating func start() -> Action {
        phase = .starting
        return .readPosition
    }

    /// Event: the site state was read. `applied` is the father sequence the son applied through
    /// (nil before its first load), `transmitted` the µs time of its last answered fetch,
    /// `subscribed` the slice it last subscribed with (nil when unknown), `configured` the one
    /// it is to use now (nil when the link manages its subscription itself, §8.3), and
    /// `changeStarted` the slice a change stopped midway was going to (empty or nil when none).
    ///
    /// A change stopped midway may have loaded what its slice adds and dropped (and unregistered)
    /// what it takes away before it was recorded. Back on the slice it started from, the son holds
    /// neither what that slice selects nor only that: it changes "from" the started slice, which
    /// drops what only that one selects and, the change being marked interrupted, loads the whole
    /// configured slice again (nemesis long run, seed 20261203, 50,000 operations: 4,644 `shared`
    /// entities missing at east after a narrowing stopped between its drop and its record).
    mutating func positionRead(
        applied: Int64?, transmitted: Int64?, holdsEntities: Bool, subscribed: String? = nil, configured: String? = nil,
        changeStarted: String? = nil
    ) -> Action {
        lastTransmission = transmitted
        let action: Action
        if let applied {
            if let subscribed, let configured, subscribed != configured {
                action = .changeSlice(oldSlice: subscribed, lastSequence: applied)
            } else if let changeStarted, !changeStarted.isEmpty, let configured, changeStarted != configured {
                action = .changeSlice(oldSlice: changeStarted, lastSequence: applied)
            } else {
                action = .skipLoad(lastSequence: applied)
            }
        } else {
            // A son that already holds entities (it ran standalone first) must tell the father.
            action = holdsEntities ? .syncLoadRegistering(fatherLostData: false) : .fullLoad
        }
        phase = .loading(action)
        return action
    }

    /// Event: the load (or skip-load) of the current phase was answered and applied.
    mutating func loaded() -> Action {
        phase = .streaming
        return .fetch
    }

    /// Event: a fetch was answered and applied at `atMicroseconds` (wall clock).
    mutating func fetched(atMicroseconds: Int64) -> Action {
        lastTransmission = atMicroseconds
        recoveries = 0
        return .fetch
    }

    /// Event: the current step failed.
    mutating func failed(_ failure: LinkFailure) -> Action {
        switch failure {
        case .unreachable:
            // A fetch keeps its position in the edge; a load is simply asked again.
            switch phase {
            case .starting: return .wait(retryBackoff, then: .readPosition)
            case .loading(let action): return .wait(retryBackoff, then: action)
            case .streaming: return .wait(retryBackoff, then: .fetch)
            }
        case .tooFarBehind:
            let since = max(0, (lastTransmission ?? 0) - Self.transmissionAllowanceMicroseconds)
            return recover(.syncLoad(since: HybridTimestamp(microseconds: since)))
        case .notRegistered:
            return recover(.syncLoadRegistering(fatherLostData: false))
        case .positionUnknown, .logReplaced:
            return recover(.syncLoadRegistering(fatherLostData: true))
        case .refused:
            recoveries = 0
            phase = .starting
            return .wait(refusedRetryInterval, then: .readPosition)
        case .disabled:
            recoveries = 0
            phase = .starting
            return .wait(disabledRetryInterval, then: .readPosition)
        case .localFailure:
            // The edge may be ahead of what was recorded: start over from the stored position.
            phase = .starting
            return .wait(retryBackoff, then: .readPosition)
        }
    }

    /// A recovering load, unless recoveries keep failing: then a slow restart.
    private mutating func recover(_ action: Action) -> Action {
        recoveries += 1
        guard recoveries <= Self.maximumRecoveries else {
            recoveries = 0
            phase = .starting
            return .wait(refusedRetryInterval, then: .readPosition)
        }
        phase = .loading(action)
        return action
    }
}
