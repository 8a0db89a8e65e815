public import CCE
public import Foundation
public import Logging
public import ServiceLifecycle

/// The assembly line between sensing and acting. Every event the poller reports goes through the
/// same stages, in this order:
///
///     track     the poller diffs each job tree against the recorded phases (PhaseTracker)
///     route     rules match each phase change to receivers (Router)
///     silence   a match an active silence covers is kept `silenced`, not sent (SilenceSet)
///     render    each match becomes the exact request to send (Renderer, via DeliveryPlanner)
///     persist   phases, deliveries and the watch's end in one store transaction
///     dispatch  the dispatcher is woken and delivers with retries
///
/// Because persisting is atomic, a crash keeps both phases and deliveries (the dispatcher resumes)
/// or neither (the next poll sees the same change again and plans the same event ids). Only after
/// the store accepted an event does the poller count it as recorded (`Poller.recorded`).
public struct Pipeline: Service {
    /// Told every event once it is recorded, with its account (the demo and `watch` print them,
    /// readiness follows the credential gates).
    public typealias Observer = @Sendable (_ event: PollerEvent, _ account: String) async -> Void

    /// One per CCE account; their events all go through the same stages.
    let pollers: [Poller]
    let watches: WatchList
    let store: any DeliveryStore
    let dispatcher: Dispatcher
    let config: ConfigSource
    let logger: Logger
    let observer: Observer?
    let now: @Sendable () -> Date
    /// A full disk refuses every poll's record: said once per outage, not once per poll.
    let storeFaults: StoreFaultLog
    /// Active silences, re-read at most once a second.
    let silences: SilenceSource

    public init(pollers: [Poller], watches: WatchList, store: any DeliveryStore, dispatcher: Dispatcher, config: ConfigSource,
                logger: Logger, observer: Observer? = nil, now: @escaping @Sendable () -> Date = Date.init) {
        self.pollers = pollers
        self.watches = watches
        self.store = store
        self.dispatcher = dispatcher
        self.config = config
        self.logger = logger
        self.observer = observer
        self.now = now
        storeFaults = StoreFaultLog(logger: logger, consequence: "changes are kept and recorded once it accepts them again")
        silences = SilenceSource(store: store)
    }

    /// Records every event until every poller's stream ends. Not cut short by graceful shutdown:
    /// the pollers stop first and finish their streams, so what they reported is still recorded.
    /// Then it waits for its own turn to shut down: a stream ends just before its poller's `run()`
    /// returns, and a service group treats a service that ends before its turn as a failure.
    public func run() async throws {
        await withDiscardingTaskGroup { group in
            for poller in pollers {
                group.addTask {
                    for await event in poller.events {
                        await handle(event, from: poller)
                    }
                }
            }
        }
        try? await gracefulShutdown()
    }

    /// One event through the stages. Returns false when the store refused it: nothing is counted as
    /// recorded, so the poller reports it again.
    @discardableResult
    public func handle(_ event: PollerEvent, from poller: Poller) async -> Bool {
        do throws(StoreError) {
            try await record(event, account: poller.account)
        } catch {
            storeFaults.refused(error, metadata: ["job_id": "\(event.jobID ?? "")"])
            await poller.notRecorded(event)
            return false
        }
        storeFaults.accepted()
        await poller.recorded(event)
        await observer?(event, poller.account)
        return true
    }

    private func record(_ event: PollerEvent, account: String) async throws(StoreError) {
        switch event {
        case .changes(let changes, let tree):
            guard let jobID = event.jobID else { return }
            try await process(changes, of: jobID, tree: tree, ending: tree.isFinished ? .finished : nil)
        case .finished(let jobID, _):
            try await watches.finish(jobID, .finished)
        case .timedOut(let jobID):
            logger.warning("job did not finish within poll.job_timeout; no longer watched", metadata: ["job_id": "\(jobID)"])
            if let tree = try await store.watch(jobID)?.tree,
               var change = PhaseTracker.timeout(of: tree, rootID: jobID, detectedAt: now()) {
                change.account = account
                try await process([change], of: jobID, tree: tree, ending: .timedOut)
            } else {
                try await watches.finish(jobID, .timedOut)
            }
        case .expired(let jobID, let error):
            logger.warning("job expired from CCE's job history; no longer watched", metadata: ["job_id": "\(jobID)", "error": "\(error)"])
            try await watches.finish(jobID, .expired)
        case .failed(let jobID, let error):
            logger.error("poll failed", metadata: ["job_id": "\(jobID)", "error": "\(error)"])
            if error.isNotFound || !error.isTransient { try await watches.finish(jobID, .expired) }
        case .credentialsRejected(let error):
            logger.critical("CCE rejected the credentials; polling stopped until they are fixed", metadata: [
                "account": "\(account)", "error": "\(error)",
            ])
        }
    }

    /// At most this many changes are planned and recorded in one transaction. A tree whose
    /// thousands of sub-jobs change in one poll is recorded in slices, so memory stays bounded by
    /// the slice, not the tree. A slice records only its own changes' phases (the last one the
    /// whole tree's and the watch's end): a crash between slices leaves the rest to be detected
    /// again, and since a delivery's id is its de-duplication key, recording a slice twice (after a
    /// refused later slice) adds nothing.
    public static let changesPerRecord = 256

    /// route → silence → render → persist → dispatch, for the changes one poll found.
    private func process(_ changes: [PhaseChange], of jobID: String, tree: Job, ending: Watch.State?) async throws(StoreError) {
        let config = config.current
        let active = await silences.current(now: now())
        let starts = Array(stride(from: 0, to: max(changes.count, 1), by: Self.changesPerRecord))
        for start in starts {
            let slice = Array(changes[start..<min(start + Self.changesPerRecord, changes.count)])
            let last = start == starts.last
            let deliveries = try await Self.record(                                                 // route → persist
                slice, of: jobID, tree: tree, ending: last ? ending : nil, config: config, store: store, now: now,
                phases: last ? nil : Dictionary(slice.map { ($0.uid, $0.to) }) { _, later in later }, silences: active)
            for delivery in deliveries {
                JobhookMetrics.ruleMatched(delivery.rule)
                if delivery.state == .silenced {
                    JobhookMetrics.finished(receiver: delivery.receiver, result: delivery.state.rawValue, latencySeconds: 0)
                }
            }
            if deliveries.contains(where: { $0.state == .pending }) { await dispatcher.wake() }      // dispatch
        }
        for change in changes {
            JobhookMetrics.phaseChange(type: change.job.type ?? "", phase: change.to, level: change.level.rawValue)
            logger.info("phase change", metadata: [
                "job_id": "\(jobID)", "uid": "\(change.uid)", "level": "\(change.level.rawValue)",
                "from": "\(change.from)", "to": "\(change.to)",
            ])
        }
        reportRegexLimits(of: config, jobID: jobID)
    }

    /// A rule regex that stopped at its match limit counted as no match (`BoundedRegex`): count every
    /// such match, and say so once per pattern, since a silently unmatched rule is a missed alert.
    private func reportRegexLimits(of config: Config, jobID: String) {
        for rule in config.rules {
            for regex in rule.expressions {
                let (count, first) = regex.takeLimitHits()
                guard count > 0 else { continue }
                JobhookMetrics.regexLimitHit(rule.name, count: count)
                if first {
                    logger.warning("a rule's regular expression hit its match limit and counted as no match; simplify the pattern", metadata: [
                        "rule": "\(rule.name)", "key": "\(regex.origin.path)", "pattern": "\(regex.pattern)", "job_id": "\(jobID)",
                    ])
                }
            }
        }
    }

    /// route → silence → render → persist: plans the deliveries `changes` owe and records them with
    /// the poll's phases (and the watch's end) in one transaction. Plans against the job's open
    /// `group_wait` groups, so a change joining one is rendered with the group's id; when a group
    /// closed (or another opened) before the record, plans once more with fresh groups.
    /// - Parameter phases: the phases to record; nil for every tracked node of `tree`.
    @discardableResult
    public static func record(
        _ changes: [PhaseChange], of jobID: String, tree: Job, ending: Watch.State?, config: Config,
        store: any DeliveryStore, now: @Sendable () -> Date = Date.init, phases: [String: String]? = nil,
        silences: SilenceSet = .empty
    ) async throws(StoreError) -> [Delivery] {
        let phases = phases ?? PhaseTracker.phases(of: tree, rootID: jobID)
        var replanned = false
        // Most configs group nothing: then there is no open group to read.
        let groups = config.rules.contains { ($0.groupWait ?? .zero) > .zero }
        while true {
            let open = groups ? try await store.openGroups(jobID: jobID, now: now()) : [:]
            let deliveries = plan(changes, config: config, openGroups: open, silences: silences)
            let poll = PollRecord(jobID: jobID, tree: tree, phases: phases,
                                  deliveries: deliveries, watchState: ending, openGroups: open)
            do {
                try await store.record(poll)
                return deliveries
            } catch where error.kind == .staleGroups && !replanned {
                replanned = true
            }
        }
    }

    /// The pure stages: the deliveries one poll's `changes` owe under `config` — every rule that
    /// matches (route), those a silence covers kept `silenced` (silence), rendered now so retries send
    /// the same bytes (render), joining the job's `openGroups`. `jobhook test` prints exactly this.
    public static func plan(
        _ changes: [PhaseChange], config: Config, openGroups: [GroupKey: String] = [:], silences: SilenceSet = .empty
    ) -> [Delivery] {
        DeliveryPlanner.deliveries(for: changes, config: config, openGroups: openGroups, silences: silences)
    }
}
