public import CCE
public import Foundation
public import Logging
public import ServiceLifecycle

/// Polls every watched job on one CCE client and reports phase changes as `PollerEvent`s.
///
/// One scheduler loop serves all jobs from one `Timetable`, so 10,000 watched jobs cost a dictionary
/// entry and a heap entry each, not a task or timer each. `Admission` decides when a poll may start
/// (credentials, 429 pause, concurrency, request rate); `PollAnswer` says what an answer means.
///
/// The store is the truth for phases: the poller diffs each answer against the phases its consumer
/// has *recorded* (`recorded(_:)`), never against what it merely reported, so a store write that
/// fails leaves nothing in memory ahead of the store and the next poll reports the same changes
/// again. While a job's report waits to be recorded the job is not polled; a finished job leaves
/// only once its end is recorded.
public actor Poller: Service {
    /// Everything the poller reports. Finishes when `run()` returns.
    public nonisolated let events: AsyncStream<PollerEvent>

    /// The CCE account this poller serves (each account has its own poller, credential gate and rate).
    public nonisolated let account: String
    let fetcher: any JobFetching
    /// The HTTP client's thread in production (`Engine.make`), else a private serial queue: see
    /// `unownedExecutor`. Polls and the timer prefer it too, so they never leave the poller's thread.
    let executor: any SerialExecutor & TaskExecutor
    let settings: Settings
    let clock: PollerClock
    let random: @Sendable () -> Double
    let wallClock: @Sendable () -> Date
    let logger: Logger
    let metrics = PollerMetrics()
    /// Whether this replica may poll (always, unless replicas share a PostgreSQL store).
    public nonisolated let gate: ReplicaGate
    let eventSink: AsyncStream<PollerEvent>.Continuation

    /// Last recorded phase by uid, over every job and sub-job ever recorded (kept after a job is
    /// dropped, so watching it again does not repeat its events).
    var phases: [String: String]
    var jobs: [String: Watched] = [:]
    var timetable = Timetable()
    /// Counts `watch` calls; each watched job keeps the count at its start (`follow`).
    public private(set) var watchMark: UInt64 = 0
    var admission: Admission
    var inFlight = 0
    /// Reports handed to the consumer and not yet recorded or refused, over all jobs. Polling pauses
    /// at `maxUnsettledReports`, so a store slower than the polls bounds the queue between them
    /// (each report holds a job tree) instead of letting it grow with every poll.
    var unsettledReports = 0
    public static let maxUnsettledReports = 512
    /// Polls answered (successfully or not) since start: for metrics and measurements.
    public internal(set) var pollCount = 0

    /// Listings waiting for their turn (`admitted(_:)`): served before the next poll.
    var listingQueue: [(id: UInt64, turn: CheckedContinuation<Bool, Never>)] = []
    var nextListingID: UInt64 = 0

    var stopping = false
    var waiter: CheckedContinuation<Void, Never>?
    /// A `wake()` that found the loop between looking at its state and suspending (an `await` is a
    /// suspension point even on the same actor): the next `sleep` returns at once instead of
    /// missing it.
    var wakePending = false
    var timer: Task<Void, Never>?
    var timerDeadline: Duration?

    /// State of one watched job.
    struct Watched {
        /// The number of the job's current timetable entry, and of the poll that entry starts: an
        /// entry or an answer with another number is stale.
        var entry: UInt64 = 0
        var deadline: Duration
        /// `watchMark` when it was watched.
        var mark: UInt64 = 0
        var failures = 0
        var answered = false
        /// Reports of this job the consumer has neither recorded nor refused yet. While there are
        /// any, answers are not reported again: a slow store must not be handed the same change
        /// once per poll (its queue would grow faster than it drains).
        var unsettled = 0
        /// Whether the log already said which of its nodes cannot be tracked (once per job).
        var warnedUntrackable = false
        /// Changes the store refused (a full disk), so that a phase the job passes through while
        /// the store fails is not lost. Reported again ahead of what the next answer adds
        /// (`RefusedChanges`).
        var refused = RefusedChanges()
    }

    /// - Parameters:
    ///   - executor: where the poller and its polls run (nil: a private serial queue).
    ///   - random: a uniform draw in `0..<1`, injected so tests can pin jitter.
    ///   - knownPhases: phase by uid from the store, so a restart does not repeat changes.
    ///   - wallClock: stamps `PhaseChange.detectedAt` and turns `watch(since:)` into clock time.
    public init(
        account: String = CCEAccount.defaultName, fetcher: any JobFetching, executor: (any SerialExecutor & TaskExecutor)? = nil, settings: Settings = Settings(), clock: any Clock<Duration> = ContinuousClock(),
        random: @escaping @Sendable () -> Double = JitterRandom().next,
        logger: Logger, knownPhases: [String: String] = [:],
        wallClock: @escaping @Sendable () -> Date = { Date() }, gate: ReplicaGate = .alwaysActive
    ) {
        self.gate = gate
        self.account = account
        self.fetcher = fetcher
        self.executor = executor ?? SerialQueueExecutor(label: "jobhook-poller")
        self.settings = settings
        self.clock = PollerClock(clock)
        self.random = random
        self.logger = logger
        self.phases = knownPhases
        self.wallClock = wallClock
        self.admission = Admission(settings: settings)
        (events, eventSink) = AsyncStream.makeStream(of: PollerEvent.self, bufferingPolicy: .unbounded)
    }

    /// The poller and its polls run where the fetcher's answers arrive (the curl thread in
    /// production): scheduling, request, answer, decoding and diffing then happen on one thread,
    /// where the default executor cost ~10 thread hand-offs per poll (bench/run).
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    // MARK: Watch list

    /// Starts polling a job; no-op (returns false) when it is already watched.
    /// - Parameters:
    ///   - since: when it was first watched (from the store), so `job_timeout` survives restarts.
    ///   - now: poll it at the next admission instead of within `firstPollSpread`: one job somebody
    ///     (or a push) just named, where the spread only adds delay; bulk additions keep the spread.
    @discardableResult
    public func watch(_ jobID: String, since: Date? = nil, now pollNow: Bool = false) -> Bool {
        guard jobs[jobID] == nil else { return false }
        let now = clock.now()
        var started = now
        if let since {
            started = now - .seconds(max(0, wallClock().timeIntervalSince(since)))
        }
        watchMark += 1
        jobs[jobID] = Watched(deadline: started + settings.jobTimeout, mark: watchMark)
        reschedule(jobID, at: pollNow ? now : now + settings.firstPollSpread * random())
        recordWatchedCount()
        wake()
        return true
    }

    /// Watches many jobs in one call (start-up from the store): one actor hop instead of one per job.
    /// Returns the IDs that were not watched before.
    @discardableResult
    public func watch(contentsOf jobIDs: some Sequence<String>, since: [String: Date] = [:]) -> [String] {
        jobIDs.filter { watch($0, since: since[$0]) }
    }

    /// Stops polling a job (its recorded phases are kept). Returns false when it was not watched.
    @discardableResult
    public func unwatch(_ jobID: String) -> Bool {
        defer { recordWatchedCount() }
        return jobs.removeValue(forKey: jobID) != nil
    }

    public var watchedJobs: [String] { jobs.keys.sorted() }

    /// Watches exactly `watching` (job ID → when first watched), as the store has it: the missing
    /// ones are added, the others dropped — except those watched since `watchMark` was
    /// `watchedBefore`, which the store read may predate (`WatchList.sync`).
    public func follow(_ watching: [String: Date], watchedBefore: UInt64) -> (added: Int, removed: Int) {
        let gone = jobs.filter { watching[$0.key] == nil && $0.value.mark <= watchedBefore }.map(\.key)
        for jobID in gone { jobs[jobID] = nil }
        if !gone.isEmpty { recordWatchedCount() }
        let added = watching.keys.sorted().filter { watch($0, since: watching[$0]) }
        return (added.count, gone.count)
    }

    /// This replica takes the work over: the phases become those the store holds (another replica
    /// recorded changes since this one last worked), and the watch list starts empty for
    /// `follow` to fill from the store.
    public func reseed(knownPhases: [String: String]) {
        standDown()
        phases = knownPhases
    }

    /// Another replica does the work now: every watch is dropped with what it held in memory (its
    /// refused changes, reports awaiting record); the next holder starts from the store.
    public func standDown() {
        jobs.removeAll()
        timetable = Timetable()
        unsettledReports = 0
        recordWatchedCount()
    }

    public func isWatching(_ jobID: String) -> Bool { jobs[jobID] != nil }

    /// Whether a 429 pauses every poll and listing right now (for tests: a manual clock must not
    /// move on before the pause is in force).
    public var isThrottled: Bool { clock.now() < admission.throttledUntil }

    /// Recorded phases by uid (for tests).
    public var knownPhases: [String: String] { phases }

    /// The consumer stored `event`: its phases become the ones later answers are compared with, and
    /// a finished job leaves the timetable. Until then the job is polled again.
    public func recorded(_ event: PollerEvent) {
        switch event {
        case .changes(let changes, let tree):
            for change in changes { phases[change.uid] = change.to }
            if let jobID = event.jobID { jobs[jobID]?.refused = RefusedChanges() }
            settle(event, pollAgain: !tree.isFinished)
            if tree.isFinished, let jobID = event.jobID { yieldAwaitingRecord(.finished(jobID: jobID, tree: tree), jobID: jobID) }
        case .finished(let jobID, _):
            settle(event, pollAgain: false)
            unwatch(jobID)
        case .timedOut, .expired, .failed, .credentialsRejected:
            break
        }
    }

    /// Phases recorded without a poll (discovery's baseline): a job among them watched later is
    /// compared with them, as after a restart. A phase already known stays.
    public func learn(_ recorded: [String: String]) {
        phases.merge(recorded) { known, _ in known }
    }

    /// The consumer could not store `event` (the store failed): no phase is remembered, and the next
    /// poll of the job, an interval later, reports the same changes again — with those the job has
    /// meanwhile moved past kept in memory (`RefusedChanges`), so none is lost.
    public func notRecorded(_ event: PollerEvent) {
        if case .changes(let changes, let tree) = event, let jobID = event.jobID, jobs[jobID] != nil {
            let dropped = jobs[jobID]!.refused.keep(changes, tree: tree, rootID: jobID)
            if dropped > 0 {
                logger.error("the store has refused this job's changes for too long; the oldest are dropped", metadata: [
                    "job": "\(jobID)", "dropped": "\(dropped)", "kept": "\(RefusedChanges.limit)",
                ])
            }
        }
        if !event.awaitsRecord, event.jobID != nil { reportAgainLater(event) }
        settle(event, pollAgain: true)
    }

    /// A job's end (timed out, expired, not found) the store refused: the job is no longer polled,
    /// so nothing would detect it again — the same event is reported again an interval later.
    private func reportAgainLater(_ event: PollerEvent) {
        let clock = clock
        let due = clock.now() + settings.interval
        Task(executorPreference: executor) { [weak self] in
            do { try await clock.sleepUntil(due) } catch { return }
            await self?.reportAgain(event)
        }
    }

    private func reportAgain(_ event: PollerEvent) {
        guard !stopping, gate.mayWork else { return }
        eventSink.yield(event)
    }

    /// One report fewer waits to be recorded; a job with none left goes back on the timetable.
    private func settle(_ event: PollerEvent, pollAgain: Bool) {
        guard event.awaitsRecord else { return }
        if unsettledReports == Self.maxUnsettledReports { wake() }
        unsettledReports = max(0, unsettledReports - 1)
        guard let jobID = event.jobID, var watched = jobs[jobID], watched.unsettled > 0 else { return }
        watched.unsettled -= 1
        jobs[jobID] = watched
        if watched.unsettled == 0, pollAgain {
            reschedule(jobID, at: nextPoll(after: clock.now()))
            wake()
        }
    }

    /// Lifts the stop after 401/403 at once (after the user fixed the credentials or reloaded config).
    public func resumeAfterCredentialsFixed() {
        guard admission.credentialsFixed() else { return }
        logger.info("resuming polls after credentials fix")
        wake()
    }

    // MARK: Service

    /// The scheduler loop. Returns on graceful shutdown or cancellation; in-flight polls are cancelled.
    public func run() async {
        await withTaskCancellationOrGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                while !stopping {
                    guard let (jobID, entry) = await nextDuePoll() else { continue }
                    inFlight += 1
                    let fetcher = fetcher
                    group.addTask(executorPreference: executor) {
                        let result: Result<Job, CCEError>
                        let started = ContinuousClock.now
                        do throws(CCEError) {
                            result = .success(try await fetcher.showJob(jobID))
                        } catch {
                            result = .failure(error)
                        }
                        await self.complete(jobID, entry: entry, result: result, took: ContinuousClock.now - started)
                    }
                }
                group.cancelAll()
            }
        } onCancelOrGracefulShutdown: {
            Task { await self.stop() }
        }
        timer?.cancel()
        eventSink.finish()
    }

    func stop() {
        stopping = true
        for listing in listingQueue { listing.turn.resume(returning: false) }
        listingQueue.removeAll()
        wake()
    }

    /// Waits until a job may be polled now and takes its entry and a request token; nil after a wait
    /// (the caller loops and asks again, because anything may have changed meanwhile).
    private func nextDuePoll() async -> (jobID: String, entry: UInt64)? {
        let now = clock.now()
        wakePending = false  // everything is looked at afresh from here
        if case .wait(let until) = admission.gate(now: now, inFlight: inFlight) { await sleep(until: until); return nil }
        if !listingQueue.isEmpty {
            if case .wait(let until) = admission.takeToken(now: now) { await sleep(until: until); return nil }
            startListing()
            return nil
        }
        // A standby replica serves listings (push intake's ShowCluster) but polls nothing; it looks
        // again four times a second, so it starts within 250 ms of being granted the lease.
        if !gate.mayWork { await sleep(until: now + .milliseconds(250)); return nil }
        if unsettledReports >= Self.maxUnsettledReports { await sleep(until: nil); return nil }
        while let first = timetable.first, jobs[first.jobID]?.entry != first.number {
            timetable.removeFirst()
        }
        guard let first = timetable.first, let watched = jobs[first.jobID] else { await sleep(until: nil); return nil }
        // Jobs due within the batch window go together: one wake-up (a timer, thread hand-offs)
        // then serves several polls, each at most a few milliseconds early.
        let window = settings.batchWindow
        if now + window < first.due { await sleep(until: first.due); return nil }
        if now + window >= watched.deadline {
            timetable.removeFirst()
            jobs[first.jobID] = nil
            logger.notice("job timed out", metadata: ["job": "\(first.jobID)"])
            eventSink.yield(.timedOut(jobID: first.jobID))
            return nil
        }
        if case .wait(let until) = admission.takeToken(now: now) { await sleep(until: until); return nil }
        timetable.removeFirst()
        return (first.jobID, first.number)
    }

    /// Puts the job's next poll on the timetable (never past its deadline, so timeouts are on time).
    func reschedule(_ jobID: String, at due: Duration) {
        guard var watched = jobs[jobID] else { return }
        watched.entry = timetable.schedule(jobID, at: min(due, watched.deadline))
        jobs[jobID] = watched
    }

    // MARK: Waiting

    /// Suspends the loop until `deadline` (nil: until something happens) or until `wake()`.
    ///
    /// A timer is kept until it fires unless an earlier one is needed: each poll's answer wakes the
    /// loop, and cancelling and re-arming a timer every time cost two thread hand-offs per poll.
    /// A timer that fires earlier than the loop now needs only makes it look again.
    private func sleep(until deadline: Duration?) async {
        guard !stopping else { return }
        if let deadline, timerDeadline.map({ $0 > deadline }) ?? true {
            timer?.cancel()
            timerDeadline = deadline
            let clock = clock
            timer = Task(executorPreference: executor) { [weak self] in
                do { try await clock.sleepUntil(deadline) } catch { return }
                await self?.timerFired(at: deadline)
            }
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            // Checked here, where nothing can come between it and the waiter being set.
            if wakePending {
                wakePending = false
                continuation.resume()
            } else {
                waiter = continuation
            }
        }
    }

    private func timerFired(at deadline: Duration) {
        if timerDeadline == deadline {
            timer = nil
            timerDeadline = nil
        }
        wake()
    }

    func wake() {
        guard let waiter else {
            wakePending = true
            return
        }
        waiter.resume()
        self.waiter = nil
    }
}
