public import CurlHTTP
public import Foundation
public import Logging
public import ServiceLifecycle

/// Drives the delivery queue: takes due deliveries from the store, makes one attempt each through
/// the HTTP client, and writes back what the retry policy decides. Receivers are independent lanes:
/// a slow or dead receiver holds only its own `maxInFlight` slots, and a receiver that is down as a
/// whole gets one probe at a time instead of every delivery's retries (`ReceiverOutages`).
///
/// Attempts are child tasks of a task group owned by `run()`. On graceful shutdown (or `drain`) no
/// new attempt starts, the ones in flight get `drainDeadline` to finish, then they are cancelled;
/// a cancelled attempt leaves its delivery pending with its attempt count unchanged. `run()` returns
/// when the group ends, so nothing outlives it.
public actor Dispatcher: Service {
    /// Called after every attempt (the demo and `watch` print these; metrics count them).
    public typealias Observer = @Sendable (_ delivery: Delivery, _ outcome: Outcome) -> Void

    let store: any DeliveryStore
    let http: any HTTPClient
    var targets: [String: DeliveryTarget]
    let clock: any Clock<Duration>
    let now: @Sendable () -> Date
    let random: @Sendable () -> Double
    let logger: Logger
    let observer: Observer?
    let drainDeadline: Duration
    /// Whether this replica may attempt deliveries (always, unless replicas share a PostgreSQL store).
    let gate: ReplicaGate
    private let batchSize = 256

    /// Delivery ids in flight, by receiver.
    var inFlight: [String: Set<String>] = [:]
    /// Attempts whose outcome the store refused (a full disk), by delivery id: held, and their
    /// delivery not attempted again, until the outcome is written — a webhook re-sent only because
    /// its "delivered" could not be recorded is a duplicate. At most `maxUnrecorded`; at that many no
    /// attempt starts until the store accepts them.
    var unrecorded: [String: Delivery] = [:]
    static let maxUnrecorded = 1_000
    /// A full disk refuses every attempt's outcome: said once per outage.
    let storeFaults: StoreFaultLog
    /// Receivers down as a whole: their deliveries wait for one probe at a time.
    var outages = ReceiverOutages()
    /// Per-receiver `rate_limit`: an attempt over it stays pending until a slot frees.
    private var rateLimiter = RateLimiter()
    private var wakeSignal: CheckedContinuation<Void, Never>?
    private var wakePending = false
    /// Due deliveries read from the store but not started yet (their lane was full or rate-limited):
    /// reused until the queue changes or a second passes, so each completion does not re-read and
    /// re-decode a whole batch.
    private var backlog: [Delivery] = []
    private var backlogReadAt = Date.distantPast
    var queueChanged = true
    private var stopping = false
    /// The first stop request (graceful shutdown or `drain`) with its drain deadline. A stream because
    /// the graceful-shutdown handler is synchronous and cannot enter the actor.
    private let stopRequests: AsyncStream<Duration>
    private let stopRequest: AsyncStream<Duration>.Continuation
    private var running = false
    private var runEnded: [CheckedContinuation<Void, Never>] = []

    /// - Parameter drainDeadline: how long in-flight attempts may run on after a graceful shutdown
    ///   before they are cancelled.
    public init(
        store: any DeliveryStore, http: any HTTPClient, targets: [DeliveryTarget],
        clock: any Clock<Duration> = ContinuousClock(), now: @escaping @Sendable () -> Date = { Date() },
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        logger: Logger, observer: Observer? = nil,
        drainDeadline: Duration = .seconds(10), gate: ReplicaGate = .alwaysActive
    ) {
        self.gate = gate
        self.store = store
        self.http = http
        self.targets = Dictionary(targets.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        self.clock = clock
        self.now = now
        self.random = random
        self.logger = logger
        self.observer = observer
        self.drainDeadline = drainDeadline
        storeFaults = StoreFaultLog(logger: logger, consequence: "delivery outcomes are held and written once it accepts them again")
        (stopRequests, stopRequest) = AsyncStream.makeStream(of: Duration.self, bufferingPolicy: .bufferingOldest(1))
    }

    /// New deliveries were recorded (or re-driven): look at the queue now rather than at the next timer.
    public func wake() {
        queueChanged = true
        signal()
    }

    func signal() {
        wakePending = true
        wakeSignal?.resume()
        wakeSignal = nil
    }

    /// Replaces the receivers (config reload). Deliveries to a receiver that no longer exists are
    /// dead-lettered when they come due.
    public func setTargets(_ targets: [DeliveryTarget]) {
        self.targets = Dictionary(targets.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        for receiver in outages.downReceivers where self.targets[receiver] == nil { outages.forget(receiver) }
        wake()
    }

    public var inFlightCount: Int { inFlight.values.reduce(0) { $0 + $1.count } }

    /// Another replica does the work now: outcomes held for a failing store are dropped (the store
    /// fences them anyway; the next holder attempts those deliveries again, under the same
    /// webhook-id) and the queue is read afresh when the work comes back.
    public func standDown() {
        unrecorded.removeAll()
        backlog.removeAll()
        wake()
    }

    /// Dispatches until graceful shutdown (then drains) or cancellation (then cancels the attempts).
    public func run() async throws {
        running = true
        let stopRequest = self.stopRequest
        let deadline = drainDeadline
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { lifecycle in
                lifecycle.addTask { await self.dispatch() }
                lifecycle.addTask { await self.stopWhenRequested() }
                // Either every attempt ended after a stop, or the drain deadline passed: cancel the other.
                await lifecycle.next()
                lifecycle.cancelAll()
            }
        } onGracefulShutdown: {
            stopRequest.yield(deadline)
            stopRequest.finish()
        }
        await writeUnrecorded()  // a last try: what stays held is re-sent after a restart
        running = false
        for waiter in runEnded { waiter.resume() }
        runEnded = []
    }

    /// Stops `run()` as a graceful shutdown would, with `deadline` for the attempts in flight, and
    /// returns when it has ended (at once when it is not running).
    public func drain(deadline: Duration) async {
        stopRequest.yield(deadline)
        stopRequest.finish()
        beginStopping()
        guard running else { return }
        await withCheckedContinuation { runEnded.append($0) }
    }

    private func beginStopping() {
        stopping = true
        signal()
    }

    /// The loop and its attempts: ends once the loop has stopped and every attempt it started has ended.
    private func dispatch() async {
        await withDiscardingTaskGroup { attempts in
            while !stopping, !Task.isCancelled {
                wakePending = false
                let nextDue = await fill(&attempts)
                if stopping { break }
                await waitForWake(until: nextDue)
            }
        }
    }

    /// Waits for a stop request, stops the loop, then returns after the drain deadline, which makes
    /// `run()` cancel the attempts still in flight (unless they all ended first and this was cancelled).
    private func stopWhenRequested() async {
        for await deadline in stopRequests {
            beginStopping()
            do {
                try await clock.sleep(for: deadline, tolerance: nil)
            } catch {
                return // every attempt ended in time (or run() was cancelled)
            }
            if inFlightCount > 0 {
                logger.warning("drain deadline passed; cancelling the attempts in flight (they stay pending)",
                               metadata: ["in_flight": "\(inFlightCount)"])
            }
            return
        }
    }

    /// Starts attempts for every due delivery with a free slot; returns when to look again.
    private func fill(_ attempts: inout DiscardingTaskGroup) async -> Date? {
        let readAt = now()
        // A standby attempts nothing and looks again four times a second.
        guard gate.mayWork else { return readAt.addingTimeInterval(0.25) }
        await writeUnrecorded()
        if unrecorded.count >= Self.maxUnrecorded { return readAt.addingTimeInterval(1) }
        if queueChanged || backlog.isEmpty || readAt.timeIntervalSince(backlogReadAt) >= 1 {
            queueChanged = false
            let busy = Set(inFlight.values.flatMap { $0 }).union(unrecorded.keys)
            do {
                backlog = try await store.dueDeliveries(now: readAt, limit: batchSize, excluding: busy,
                                                        excludingReceivers: outages.downReceivers)
                backlogReadAt = readAt
            } catch {
                if Task.isCancelled { return nil }  // shutting down, not a store fault
                logger.error("cannot read the delivery queue", metadata: ["error": "\(error)"])
                return readAt.addingTimeInterval(1)
            }
        }
        if stopping || Task.isCancelled { return nil } // a stop came while reading: start nothing new
        let fullBatch = backlog.count == batchSize
        var waiting: [Delivery] = []
        var throttledUntil: Date?
        for delivery in backlog {
            if outages.isDown(delivery.receiver) { continue } // went down since the read: it waits for a probe
            let lane = inFlight[delivery.receiver, default: []]
            let limit = targets[delivery.receiver]?.maxInFlight ?? 1
            if lane.count >= limit { waiting.append(delivery); continue }
            if let limits = targets[delivery.receiver]?.rateLimits, !limits.isEmpty,
               let free = rateLimiter.acquire(delivery.receiver, limits: limits, now: now()) {
                throttledUntil = min(throttledUntil ?? free, free)
                waiting.append(delivery)
                continue
            }
            start(delivery, in: &attempts)
        }
        backlog = waiting
        await startProbes(&attempts)
        let look = await nextLook(waiting: !waiting.isEmpty, throttledUntil: throttledUntil, fullBatch: fullBatch)
        guard let probe = outages.nextProbe(after: now()) else { return look }
        return min(look ?? probe, probe)
    }

    /// One probe for each down receiver whose probe is due and that has nothing in flight: its oldest
    /// pending delivery, so what it missed goes out in order from the first answer on.
    private func startProbes(_ attempts: inout DiscardingTaskGroup) async {
        let at = now()
        for receiver in outages.downReceivers.sorted()
        where inFlight[receiver, default: []].isEmpty && outages.probeDue(receiver, now: at) {
            if stopping || Task.isCancelled { return }
            let probe: Delivery?
            do {
                probe = try await store.oldestPending(receiver: receiver, now: at)
            } catch {
                logger.error("cannot read the delivery queue", metadata: ["error": "\(error)"])
                return
            }
            guard let probe, unrecorded[probe.id] == nil else { continue }
            start(probe, in: &attempts)
        }
    }

    /// When `fill` must look at the queue again (nil: only when woken).
    private func nextLook(waiting: Bool, throttledUntil: Date?, fullBatch: Bool) async -> Date? {
        // On a shared store another replica's API may re-drive a delivery without waking this one.
        let look = await nextLookInQueue(waiting: waiting, throttledUntil: throttledUntil, fullBatch: fullBatch)
        guard gate.isShared else { return look }
        let second = now().addingTimeInterval(1)
        return min(look ?? second, second)
    }

    private func nextLookInQueue(waiting: Bool, throttledUntil: Date?, fullBatch: Bool) async -> Date? {
        if waiting {
            // Lanes are full or rate-limited: completions and freed slots wake us; look again within
            // a second regardless.
            let soon = now().addingTimeInterval(1)
            return min(soon, throttledUntil ?? soon)
        }
        if !unrecorded.isEmpty { return now().addingTimeInterval(1) } // try writing them again soon
        if fullBatch { return now() } // more may be due beyond this batch: read on at once
        let next = try? await store.nextAttemptDate()
        if let next, next > now() { return min(next, throttledUntil ?? next) }
        guard next != nil else { return throttledUntil }
        // The earliest pending delivery is in flight or held back by a rate limit: a completion or a
        // freed slot wakes us; look again within a second regardless, never in a tight loop.
        let soon = now().addingTimeInterval(1)
        return min(soon, throttledUntil ?? soon)
    }

    /// Writes the held outcomes, oldest first; stops at the first refusal (the store still fails).
    func writeUnrecorded() async {
        guard !unrecorded.isEmpty else { return }
        for delivery in unrecorded.values.sorted(by: { $0.createdAt < $1.createdAt }) {
            do {
                try await store.update(delivery)
            } catch where error.kind == .fenced {
                // Another replica does the work now and owns this outcome.
            } catch {
                storeFaults.refused(error)
                return
            }
            unrecorded[delivery.id] = nil
            storeFaults.accepted()
        }
        queueChanged = true
    }

    private func start(_ delivery: Delivery, in attempts: inout DiscardingTaskGroup) {
        inFlight[delivery.receiver, default: []].insert(delivery.id)
        let target = targets[delivery.receiver]
        attempts.addTask { await self.attempt(delivery, target: target) }
    }

    /// Sleeps until `date`, or until `wake()`, whichever comes first.
    private func waitForWake(until date: Date?) async {
        if wakePending || stopping { return }
        let delay = date.map { max(0, $0.timeIntervalSince(now())) } ?? 3600
        if delay <= 0 { return }
        let clock = self.clock
        await withTaskGroup(of: Void.self) { waits in
            waits.addTask { try? await clock.sleep(for: .milliseconds(Int64(min(delay, 3600) * 1000)), tolerance: nil) }
            waits.addTask { await self.woken() }
            await waits.next()
            signal() // the timer fired first: release `woken`
            waits.cancelAll()
        }
    }

    private func woken() async {
        await withCheckedContinuation { continuation in
            if wakePending { continuation.resume() } else { wakeSignal = continuation }
        }
    }
}
