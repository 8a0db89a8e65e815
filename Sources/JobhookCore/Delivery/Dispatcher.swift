public import CurlHTTP
public import Foundation
public import Logging
public import ServiceLifecycle

/// Drives the delivery queue: takes due deliveries from the store, makes one attempt each through
/// the HTTP client, and writes back what the retry policy decides. Receivers are independent lanes:
/// a slow or dead receiver holds only its own `maxInFlight` slots.
public actor Dispatcher: Service {
    /// Called after every attempt (the demo and `watch` print these; metrics count them).
    public typealias Observer = @Sendable (_ delivery: Delivery, _ outcome: Outcome) -> Void

    private let store: any DeliveryStore
    private let http: any HTTPClient
    private var targets: [String: DeliveryTarget]
    private let clock: any Clock<Duration>
    private let now: @Sendable () -> Date
    private let random: @Sendable () -> Double
    private let logger: Logger
    private let observer: Observer?
    private let batchSize = 256

    private var inFlight: [String: Set<String>] = [:]
    /// Per-receiver `rate_limit`: an attempt over it stays pending until a slot frees.
    private var rateLimiter = RateLimiter()
    private var tasks: [String: Task<Void, Never>] = [:]
    private var wakeSignal: CheckedContinuation<Void, Never>?
    private var wakePending = false
    /// Due deliveries read from the store but not started yet (their lane was full or rate-limited):
    /// reused until the queue changes or a second passes, so each completion does not re-read and
    /// re-decode a whole batch.
    private var backlog: [Delivery] = []
    private var backlogReadAt = Date.distantPast
    private var queueChanged = true
    private var stopping = false

    public init(
        store: any DeliveryStore, http: any HTTPClient, targets: [DeliveryTarget],
        clock: any Clock<Duration> = ContinuousClock(), now: @escaping @Sendable () -> Date = { Date() },
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        logger: Logger = Logger(label: "jobhook.dispatcher"), observer: Observer? = nil
    ) {
        self.store = store
        self.http = http
        self.targets = Dictionary(targets.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        self.clock = clock
        self.now = now
        self.random = random
        self.logger = logger
        self.observer = observer
    }

    /// New deliveries were recorded (or re-driven): look at the queue now rather than at the next timer.
    public func wake() {
        queueChanged = true
        signal()
    }

    private func signal() {
        wakePending = true
        wakeSignal?.resume()
        wakeSignal = nil
    }

    /// Replaces the receivers (config reload). Deliveries to a receiver that no longer exists are
    /// dead-lettered when they come due.
    public func setTargets(_ targets: [DeliveryTarget]) {
        self.targets = Dictionary(targets.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        wake()
    }

    public var inFlightCount: Int { inFlight.values.reduce(0) { $0 + $1.count } }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await self.loop()
        } onGracefulShutdown: {
            Task { await self.beginStopping() }
        }
        await drain(deadline: .seconds(10))
    }

    private func beginStopping() {
        stopping = true
        wake()
    }

    /// Lets in-flight attempts finish up to `deadline`, then cancels the rest; cancelled attempts
    /// stay pending in the store with their attempt count unchanged.
    public func drain(deadline: Duration) async {
        stopping = true
        let start = ContinuousClock.now
        while !tasks.isEmpty, ContinuousClock.now - start < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        for task in tasks.values { task.cancel() }
        while !tasks.isEmpty { try? await Task.sleep(for: .milliseconds(5)) }
    }

    private func loop() async {
        while !stopping, !Task.isCancelled {
            wakePending = false
            let nextDue = await fill()
            if stopping { break }
            await waitForWake(until: nextDue)
        }
    }

    /// Starts attempts for every due delivery with a free slot; returns when to look again.
    private func fill() async -> Date? {
        let readAt = now()
        if queueChanged || backlog.isEmpty || readAt.timeIntervalSince(backlogReadAt) >= 1 {
            queueChanged = false
            let busy = Set(inFlight.values.flatMap { $0 })
            do {
                backlog = try await store.dueDeliveries(now: readAt, limit: batchSize, excluding: busy)
                backlogReadAt = readAt
            } catch {
                if Task.isCancelled { return nil }  // shutting down, not a store fault
                logger.error("cannot read the delivery queue", metadata: ["error": "\(error)"])
                return readAt.addingTimeInterval(1)
            }
        }
        let fullBatch = backlog.count == batchSize
        var waiting: [Delivery] = []
        var throttledUntil: Date?
        for delivery in backlog {
            let lane = inFlight[delivery.receiver, default: []]
            let limit = targets[delivery.receiver]?.maxInFlight ?? 1
            if lane.count >= limit { waiting.append(delivery); continue }
            if let limits = targets[delivery.receiver]?.rateLimits, !limits.isEmpty,
               let free = rateLimiter.acquire(delivery.receiver, limits: limits, now: now()) {
                throttledUntil = min(throttledUntil ?? free, free)
                waiting.append(delivery)
                continue
            }
            start(delivery)
        }
        backlog = waiting
        if !waiting.isEmpty {
            // Lanes are full or rate-limited: completions and freed slots wake us; look again within
            // a second regardless.
            let soon = now().addingTimeInterval(1)
            return min(soon, throttledUntil ?? soon)
        }
        if fullBatch { return now() } // more may be due beyond this batch: read on at once
        let next = try? await store.nextAttemptDate()
        if let next, next > now() { return min(next, throttledUntil ?? next) }
        guard next != nil else { return throttledUntil }
        // The earliest pending delivery is in flight or held back by a rate limit: a completion or a
        // freed slot wakes us; look again within a second regardless, never in a tight loop.
        let soon = now().addingTimeInterval(1)
        return min(soon, throttledUntil ?? soon)
    }

    private func start(_ delivery: Delivery) {
        inFlight[delivery.receiver, default: []].insert(delivery.id)
        let target = targets[delivery.receiver]
        tasks[delivery.id] = Task {
            await self.attempt(delivery, target: target)
        }
    }

    private func attempt(_ delivery: Delivery, target: DeliveryTarget?) async {
        defer { finish(delivery) }
        var updated = delivery
        let outcome: Outcome
        let decision: RetrySettings.Decision
        if let target {
            outcome = await DeliveryAttempt.send(delivery, to: target, http: http, now: now)
            if Task.isCancelled, case .permanent = outcome { return } // shutdown: leave it pending as it was
            updated.attempts += 1
            decision = target.retry.decide(outcome: outcome, attempts: updated.attempts, createdAt: delivery.createdAt, now: now(), random: random)
        } else {
            outcome = .permanent(reason: "receiver \(delivery.receiver) is no longer configured")
            decision = .dead(reason: outcome.reason)
        }
        let at = now()
        switch decision {
        case .delivered:
            updated.state = .delivered
            updated.finishedAt = at
            updated.lastError = nil
        case .retry(let next):
            updated.nextAttemptAt = next
            updated.lastError = outcome.reason
        case .dead(let reason):
            updated.state = .dead
            updated.finishedAt = at
            updated.lastError = reason
        }
        do {
            try await store.update(updated)
        } catch {
            logger.error("cannot record a delivery attempt", metadata: ["webhook_id": "\(delivery.id)", "error": "\(error)"])
        }
        log(updated, outcome: outcome)
        if target != nil { JobhookMetrics.attempt(receiver: delivery.receiver, outcome: outcome.label) }
        if updated.state != .pending {
            JobhookMetrics.finished(receiver: delivery.receiver, result: updated.state.rawValue,
                                    latencySeconds: at.timeIntervalSince(delivery.createdAt))
        }
        observer?(updated, outcome)
    }

    private func finish(_ delivery: Delivery) {
        inFlight[delivery.receiver]?.remove(delivery.id)
        tasks[delivery.id] = nil
        signal()
    }

    private func log(_ delivery: Delivery, outcome: Outcome) {
        var metadata: Logger.Metadata = [
            "webhook_id": "\(delivery.id)", "receiver": "\(delivery.receiver)", "job_id": "\(delivery.jobID)",
            "attempt": "\(delivery.attempts)", "outcome": "\(outcome.label)",
        ]
        switch delivery.state {
        case .delivered:
            logger.info("delivered", metadata: metadata)
        case .pending:
            metadata["error"] = "\(outcome.reason)"
            metadata["next_attempt_at"] = "\(delivery.nextAttemptAt)"
            logger.warning("delivery attempt failed; will retry", metadata: metadata)
        case .dead:
            metadata["error"] = "\(delivery.lastError ?? outcome.reason)"
            logger.error("delivery is a dead letter", metadata: metadata)
        }
    }

    /// Sleeps until `date`, or until `wake()`.
    private func waitForWake(until date: Date?) async {
        if wakePending || stopping { return }
        let delay = date.map { max(0, $0.timeIntervalSince(now())) } ?? 3600
        if delay <= 0 { return }
        let clock = self.clock
        let timer = Task {
            try? await clock.sleep(for: .milliseconds(Int64(min(delay, 3600) * 1000)), tolerance: nil)
            self.wake()
        }
        await withCheckedContinuation { continuation in
            if wakePending { continuation.resume() } else { wakeSignal = continuation }
        }
        timer.cancel()
    }
}
