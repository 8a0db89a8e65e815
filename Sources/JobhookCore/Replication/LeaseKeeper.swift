public import Logging
public import ServiceLifecycle

/// Keeps this replica's claim on the work (SPEC § two replicas): asks the database for the lease
/// every `term.renewEvery`, so the holder renews it twice before it could run out, and a standby
/// takes it within `term.duration + term.renewEvery` (< 2 × lease) of the holder's last renewal.
///
/// The gate follows every answer (`ReplicaRole.after`). Around it:
/// - a grant under a new epoch is a takeover: after `term.margin` (the old holder's last statements
///   end), `Hooks.takeOver` reads the phases and watches the previous holder left, and only then
///   does the gate open;
/// - a lease another replica now holds is a stand-down: `Hooks.standDown` drops what the work kept
///   in memory, since the next holder starts from the store;
/// - an unreachable database ends nothing early: the lease runs out on the local clock, and a
///   grant under the same epoch when the database is back resumes the work with its memory intact
///   (changes the store refused meanwhile are still there to be recorded). `Hooks.reachability`
///   tells `/readyz`.
///
/// At graceful shutdown the gate closes first, then the lease is released so another replica takes
/// over at once instead of waiting it out.
public struct LeaseKeeper: Service {
    public struct Hooks: Sendable {
        /// The work moves here: reload what the previous holder left (throws: try again next round).
        public var takeOver: @Sendable () async throws -> Void
        /// The work moved to another replica.
        public var standDown: @Sendable () async -> Void
        /// nil while the database answers, else why not.
        public var reachability: @Sendable (_ problem: String?) -> Void

        public init(
            takeOver: @escaping @Sendable () async throws -> Void = {}, standDown: @escaping @Sendable () async -> Void = {},
            reachability: @escaping @Sendable (_ problem: String?) -> Void = { _ in }
        ) {
            self.takeOver = takeOver
            self.standDown = standDown
            self.reachability = reachability
        }
    }

    let store: any ReplicaLeaseStore
    let holder: String
    let term: ReplicaLease.Term
    let gate: ReplicaGate
    let hooks: Hooks
    let logger: Logger

    public init(store: any ReplicaLeaseStore, holder: String, term: ReplicaLease.Term, gate: ReplicaGate, hooks: Hooks, logger: Logger) {
        self.store = store
        self.holder = holder
        self.term = term
        self.gate = gate
        self.hooks = hooks
        self.logger = logger
    }

    /// What the loop remembers between rounds.
    struct Memory {
        /// The epoch this replica last took the work over under; nil while another holds it.
        var epoch: Int64?
        var unreachable = false
        var toldStandby = false
    }

    public func run() async {
        var memory = Memory()
        JobhookMetrics.replicaWorking(false)
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            await round(&memory)
            JobhookMetrics.replicaWorking(gate.mayWork)
            _ = try? await cancelWhenGracefulShutdown { try await Task.sleep(for: term.renewEvery) }
        }
        gate.set(.stopping)
        JobhookMetrics.replicaWorking(false)
        guard memory.epoch != nil else { return }
        let holder = holder, store = store
        let released = await firstToFinish({ (try? await store.releaseLease(holder: holder)) != nil }, orAfter: .seconds(2), otherwise: false)
        if released { logger.info("released the work lease; another replica takes over now") }
    }

    /// One ask and what follows from the answer.
    func round(_ memory: inout Memory) async {
        let sent = ContinuousClock.now
        let (answer, problem) = await ask()
        noteReachability(problem, &memory)
        switch answer {
        case .granted(let grant) where grant.epoch != memory.epoch:
            // The previous holder's work stops by its own clock before the database lets the lease
            // go; the margin covers a statement of its that passed the fence just before.
            try? await Task.sleep(for: term.margin)
            do {
                try await hooks.takeOver()
            } catch {
                logger.error("cannot take the work over yet; trying again", metadata: ["error": "\(error)"])
                return
            }
            memory.epoch = grant.epoch
            memory.toldStandby = false
            gate.set(gate.current.after(answer, sent: sent, term: term))
            JobhookMetrics.replicaTookOver()
            logger.notice("this replica now does the work", metadata: ["holder": "\(holder)", "epoch": "\(grant.epoch)"])
        case .granted:
            let resumed = gate.current.lease(at: ContinuousClock.now) == nil
            gate.set(gate.current.after(answer, sent: sent, term: term))
            if resumed { logger.notice("work lease renewed; this replica works again", metadata: ["holder": "\(holder)"]) }
        case .heldByAnother:
            gate.set(gate.current.after(answer, sent: sent, term: term))
            if memory.epoch != nil {
                memory.epoch = nil
                logger.notice("another replica now does the work; this one serves the API and stands by")
                await hooks.standDown()
            } else if !memory.toldStandby {
                logger.info("another replica does the work; this one serves the API and stands by")
            }
            memory.toldStandby = true
        case .unreachable:
            let wasWorking = gate.mayWork
            gate.set(gate.current.after(answer, sent: sent, term: term))
            if wasWorking, !gate.mayWork {
                logger.warning("the work lease ran out while the database is unreachable; work pauses until it is back")
            }
        }
    }

    /// Asks for the lease, giving up after a renewal period (a database that does not answer is
    /// unreachable for `/readyz`, whatever the pool's own timeouts).
    func ask() async -> (LeaseAnswer, problem: String?) {
        let store = store, holder = holder, duration = term.duration
        let wait = min(term.renewEvery, .seconds(5))
        return await firstToFinish({
            do {
                let grant = try await store.acquireLease(holder: holder, for: duration)
                return (grant.map(LeaseAnswer.granted) ?? .heldByAnother, nil)
            } catch {
                return (.unreachable, "\(error)")
            }
        }, orAfter: wait, otherwise: (.unreachable, "the database did not answer within \(wait)"))
    }

    private func noteReachability(_ problem: String?, _ memory: inout Memory) {
        hooks.reachability(problem.map { "the state database is unreachable: \($0)" })
        if let problem, !memory.unreachable {
            memory.unreachable = true
            logger.error("the state database is unreachable; /readyz answers 503 until it is back", metadata: ["error": "\(problem)"])
        } else if problem == nil, memory.unreachable {
            memory.unreachable = false
            logger.notice("the state database is reachable again")
        }
    }
}
