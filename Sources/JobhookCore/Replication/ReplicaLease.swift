/// One replica's claim on the work when several share a PostgreSQL store (SPEC § two replicas).
///
/// The design is one active replica at a time: the holder of the lease polls, lists, and attempts
/// deliveries; the others serve the API and wait to take over. The database grants the lease with
/// its own clock (`expires_at = now() + lease`) and a fencing `epoch` that grows with every change
/// of holder. The holder measures its own validity on its monotonic clock from the moment it *sent*
/// the request that granted it, so its local deadline always ends before the database's: a replica
/// that was paused or partitioned finds its lease over before another can have taken the work.
public struct ReplicaLease: Sendable, Hashable {
    /// What the database granted.
    public struct Grant: Sendable, Hashable {
        /// This replica's name (host and pid), unique among the replicas.
        public var holder: String
        /// Grows by one whenever the lease changes hands; writes made under an older epoch are refused.
        public var epoch: Int64

        public init(holder: String, epoch: Int64) {
            self.holder = holder
            self.epoch = epoch
        }
    }

    public var grant: Grant
    /// When the lease ends for this replica, on the monotonic clock.
    public var validUntil: ContinuousClock.Instant

    /// `requestSent`: when the acquire or renew request left this replica (not when it was answered:
    /// the database started counting in between, so the local deadline is the earlier one).
    public init(grant: Grant, requestSent: ContinuousClock.Instant, term: Term) {
        self.grant = grant
        validUntil = requestSent + term.duration - term.margin
    }

    /// True while work may go on under this lease. Checked before every request the work makes
    /// (a poll, a listing, a delivery attempt), so a replica that finds it over stops before its next one.
    public func isValid(at now: ContinuousClock.Instant) -> Bool { now < validUntil }

    /// `state.postgres.lease` and what follows from it.
    public struct Term: Sendable, Hashable {
        /// How long a claim lasts without renewal.
        public var duration: Duration
        /// Renewed this often: three chances before it runs out.
        public var renewEvery: Duration { duration / 3 }
        /// Kept back from the local deadline for the time between the check and the request it allows.
        public var margin: Duration { min(duration / 10, .seconds(1)) }

        public init(duration: Duration) { self.duration = duration }
    }
}

/// What a replica is doing about the work, in the manner of ServiceLifecycle's `ServiceGroup` state.
public enum ReplicaRole: Sendable, Hashable {
    /// Serving the API; the work is another replica's (or nobody's yet).
    case standby
    /// Holding the lease: polling, listing and delivering.
    case active(ReplicaLease)
    /// Shutting down: no new work, whatever the lease says.
    case stopping

    /// The lease to work under at `now`, if any.
    public func lease(at now: ContinuousClock.Instant) -> ReplicaLease? {
        guard case .active(let lease) = self, lease.isValid(at: now) else { return nil }
        return lease
    }

    /// The role after an acquire or renew request sent at `sent` was answered with `grant` (nil: the
    /// database gave the lease to another replica or kept it with one) or failed (`unreachable`):
    /// an unreachable database ends nothing early — the lease runs out on its own clock.
    public func after(_ answer: LeaseAnswer, sent: ContinuousClock.Instant, term: ReplicaLease.Term) -> ReplicaRole {
        if case .stopping = self { return .stopping }
        switch answer {
        case .granted(let grant): return .active(ReplicaLease(grant: grant, requestSent: sent, term: term))
        case .heldByAnother: return .standby
        case .unreachable:
            if case .active(let lease) = self, lease.isValid(at: sent) { return self }
            return .standby
        }
    }
}

/// How the database answered an acquire or renew request.
public enum LeaseAnswer: Sendable, Hashable {
    case granted(ReplicaLease.Grant)
    case heldByAnother
    case unreachable
}
