public import CCE
public import Foundation
public import Logging
public import ServiceLifecycle

/// Polls every watched job on one CCE client and reports phase changes as `PollerEvent`s.
///
/// One scheduler loop serves all jobs from a min-heap timetable (`PollSchedule`), so 10,000 watched
/// jobs cost a dictionary entry and a heap slot each, not a task or timer each. Limits are global:
/// at most `concurrency` requests in flight and at most `maxRPS` per second (requests spaced on the
/// injected clock). Faults never stop the loop: transient ones back off the job, 429 pauses everyone,
/// 401/403 stops everything until the credentials are fixed or a cool-down passes.
public actor Poller: Service {
    /// Everything the poller reports. Finishes when `run()` returns.
    public nonisolated let events: AsyncStream<PollerEvent>

    let fetcher: any JobFetching
    /// The fetcher's executor (the curl thread) or a private serial queue: see `unownedExecutor`.
    /// Polls and the timer prefer it too, so they never leave the poller's thread.
    let executor: any SerialExecutor & TaskExecutor
    let settings: Settings
    let clock: PollerClock
    let random: @Sendable () -> Double
    let wallClock: @Sendable () -> Date
    var logger: Logger
    let metrics = PollerMetrics()
    let eventSink: AsyncStream<PollerEvent>.Continuation

    /// Last recorded phase by uid, over every job and sub-job ever seen (kept after a job is dropped,
    /// so watching it again does not repeat its events).
    var phases: [String: String]
    var jobs: [String: Watched] = [:]
    var schedule = PollSchedule()
    var nextTicket: UInt64 = 0

    var inFlight = 0
    /// Polls answered (successfully or not) since start: for metrics and measurements.
    public internal(set) var pollCount = 0
    /// Request tokens for `maxRPS` (a token bucket holding at most one batch window's worth).
    var tokens: Double = 1
    var tokensCountedAt: Duration = .zero
    /// Current rate: `maxRPS`, halved on each 429 and recovered gradually on success.
    var rate: Double
    /// No request starts before this (429).
    var throttledUntil: Duration = .zero
    /// Set after 401/403: no request starts before this.
    var credentialsBlockedUntil: Duration?
    /// False until a poll succeeds (and again after a rejection): meanwhile only one request is in
    /// flight, so bad credentials cost one failed authentication, never `concurrency` of them at
    /// once (five failed AK/SK signatures in a row lock the key for five minutes).
    var credentialsConfirmed = false

    var stopping = false
    var waiter: CheckedContinuation<Void, Never>?
    var timer: Task<Void, Never>?
    var timerDeadline: Duration?

    /// State of one watched job.
    struct Watched {
        /// Identifies this watch, so a poll answer for an unwatched-then-rewatched job is ignored.
        var ticket: UInt64
        /// The schedule slot that is current for this job (older slots are stale).
        var slot: UInt64 = 0
        var deadline: Duration
        var failures = 0
        var polling = false
        var answered = false
    }

    /// - Parameters:
    ///   - random: a uniform draw in `0..<1`, injected so tests can pin jitter.
    ///   - knownPhases: phase by uid from the store, so a restart does not repeat changes.
    ///   - wallClock: stamps `PhaseChange.detectedAt` and turns `watch(since:)` into clock time.
    public init(
        fetcher: any JobFetching, settings: Settings = Settings(), clock: any Clock<Duration> = ContinuousClock(),
        random: @escaping @Sendable () -> Double = JitterRandom().next,
        logger: Logger = Logger(label: "jobhook.poller"), knownPhases: [String: String] = [:],
        wallClock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.fetcher = fetcher
        self.executor = fetcher.executor ?? SerialQueueExecutor(label: "jobhook-poller")
        self.settings = settings
        self.clock = PollerClock(clock)
        self.random = random
        self.logger = logger
        self.phases = knownPhases
        self.wallClock = wallClock
        self.rate = settings.maxRPS
        (events, eventSink) = AsyncStream.makeStream(of: PollerEvent.self, bufferingPolicy: .unbounded)
    }

    /// The poller and its polls run where the fetcher's answers arrive (the curl thread in
    /// production): scheduling, request, answer, decoding and diffing then happen on one thread,
    /// where the default executor cost ~10 thread hand-offs per poll (bench/run).
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    // MARK: Watch list

    /// Starts polling a job; no-op (returns false) when it is already watched.
    /// - Parameter since: when it was first watched (from the store), so `job_timeout` survives restarts.
    @discardableResult
    public func watch(_ jobID: String, since: Date? = nil) -> Bool {
        guard jobs[jobID] == nil else { return false }
        let now = clock.now()
        var started = now
        if let since {
            let age = max(0, wallClock().timeIntervalSince(since))
            started = now - .seconds(age)
        }
        nextTicket += 1
        jobs[jobID] = Watched(ticket: nextTicket, deadline: started + settings.jobTimeout)
        reschedule(jobID, at: now + settings.firstPollSpread * random())
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

    public func isWatching(_ jobID: String) -> Bool { jobs[jobID] != nil }


    /// Recorded phases by uid (for the store and for tests).
    public var knownPhases: [String: String] { phases }

    /// Adds recorded phases (e.g. loaded from the store after start) without polling anything.
    public func remember(_ known: [String: String]) {
        phases.merge(known) { _, new in new }
    }

    /// Lifts the stop after 401/403 at once (after the user fixed the credentials or reloaded config).
    public func resumeAfterCredentialsFixed() {
        guard credentialsBlockedUntil != nil else { return }
        credentialsBlockedUntil = nil
        logger.info("resuming polls after credentials fix")
        wake()
    }

    // MARK: Service

    /// The scheduler loop. Returns on graceful shutdown or cancellation; in-flight polls are cancelled.
    public func run() async {
        await withTaskCancellationOrGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                while !stopping {
                    guard let jobID = await nextDueJob() else { continue }
                    guard var watched = jobs[jobID] else { continue }
                    watched.polling = true
                    jobs[jobID] = watched
                    inFlight += 1
                    let fetcher = fetcher
                    let ticket = watched.ticket
                    group.addTask(executorPreference: executor) {
                        let result: Result<Job, CCEError>
                        let started = ContinuousClock.now
                        do throws(CCEError) {
                            result = .success(try await fetcher.showJob(jobID))
                        } catch {
                            result = .failure(error)
                        }
                        await self.complete(jobID, ticket: ticket, result: result, took: ContinuousClock.now - started)
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
        wake()
    }

    /// Waits until a job may be polled now and takes its slot and a request token; nil after a wait
    /// (the caller loops and asks again, because anything may have changed meanwhile).
    private func nextDueJob() async -> String? {
        let now = clock.now()
        if let until = credentialsBlockedUntil {
            if now < until { await sleep(until: until); return nil }
            credentialsBlockedUntil = nil
        }
        if now < throttledUntil { await sleep(until: throttledUntil); return nil }
        if inFlight >= (credentialsConfirmed ? settings.concurrency : 1) { await sleep(until: nil); return nil }
        while let top = schedule.top, jobs[top.jobID]?.slot != top.ticket {
            schedule.removeTop()
        }
        guard let top = schedule.top, let watched = jobs[top.jobID] else { await sleep(until: nil); return nil }
        // Jobs due within the batch window go together: one wake-up (a timer, thread hand-offs)
        // then serves several polls, each at most a few milliseconds early.
        let window = settings.batchWindow
        if now + window < top.due { await sleep(until: top.due); return nil }
        if now + window >= watched.deadline {
            schedule.removeTop()
            jobs[top.jobID] = nil
            logger.notice("job timed out", metadata: ["job": "\(top.jobID)"])
            eventSink.yield(.timedOut(jobID: top.jobID))
            return nil
        }
        if let until = takeRequestToken(now: now) { await sleep(until: until); return nil }
        schedule.removeTop()
        return top.jobID
    }

    /// Spends a request token, or says when to look again. The bucket refills at `rate` and holds
    /// one batch window's worth (at least one), so over any span T at most `rate × T + burst` start.
    /// When it is empty the loop waits for a quarter of it, not for each token: at the cap, a timer
    /// per request was most of a poll's cost.
    private func takeRequestToken(now: Duration) -> Duration? {
        let burst = max(1, rate * (settings.batchWindow / .seconds(1)))
        tokens = min(burst, tokens + (now - tokensCountedAt) / .seconds(1) * rate)
        tokensCountedAt = now
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        return now + .seconds((max(1, burst / 4) - tokens) / rate)
    }

    /// Puts the job's next poll on the timetable (never past its deadline, so timeouts are on time).
    func reschedule(_ jobID: String, at due: Duration) {
        guard var watched = jobs[jobID] else { return }
        nextTicket += 1
        watched.slot = nextTicket
        jobs[jobID] = watched
        schedule.insert(.init(due: min(due, watched.deadline), ticket: nextTicket, jobID: jobID))
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
            waiter = continuation
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
        waiter?.resume()
        waiter = nil
    }
}
