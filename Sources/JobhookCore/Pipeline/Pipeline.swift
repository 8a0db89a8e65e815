public import CCE
public import Foundation
public import Logging
public import ServiceLifecycle

/// The stage between sensing and acting: reads the poller's events, plans the deliveries each phase
/// change owes and records phases and deliveries in one store transaction, then wakes the dispatcher.
/// Because the record is atomic, a crash either keeps both (the dispatcher resumes) or neither (the
/// next poll sees the same change again and plans the same event ids).
public struct Pipeline: Service {
    /// Also told every event (the demo and `watch` print them).
    public typealias Observer = @Sendable (PollerEvent) async -> Void

    let poller: Poller
    let store: any DeliveryStore
    let dispatcher: Dispatcher
    let config: ConfigSource
    let logger: Logger
    let observer: Observer?

    public init(poller: Poller, store: any DeliveryStore, dispatcher: Dispatcher, config: ConfigSource,
                logger: Logger = Logger(label: "jobhook.pipeline"), observer: Observer? = nil) {
        self.poller = poller
        self.store = store
        self.dispatcher = dispatcher
        self.config = config
        self.logger = logger
        self.observer = observer
    }

    /// Records every event until the poller's stream ends. Not cut short by graceful shutdown: the
    /// poller stops first and finishes the stream, so what it reported is still recorded. Then it
    /// waits for its own turn to shut down: the stream ends just before the poller's `run()`
    /// returns, and a service group treats a service that ends before its turn as a failure.
    public func run() async throws {
        for await event in poller.events {
            await handle(event)
            await observer?(event)
        }
        try? await gracefulShutdown()
    }

    /// Records one event (public so `jobhook watch` can drive it without the service loop).
    public func handle(_ event: PollerEvent) async {
        let now = Date()
        switch event {
        case .changes(let changes, let tree):
            guard let jobID = event.jobID else { return }
            await record(jobID: jobID, tree: tree, changes: changes, state: nil)
        case .finished(let jobID, _):
            await setState(jobID, .finished, at: now)
        case .timedOut(let jobID):
            logger.warning("job did not finish within poll.job_timeout; no longer watched", metadata: ["job_id": "\(jobID)"])
            let tree = (try? await store.watch(jobID))?.flatMap(\.tree)
            if let tree, let change = PhaseTracker.timeout(of: tree, rootID: jobID, detectedAt: now) {
                await record(jobID: jobID, tree: tree, changes: [change], state: .timedOut)
            } else {
                await setState(jobID, .timedOut, at: now)
            }
        case .expired(let jobID, let error):
            logger.warning("job expired from CCE's job history; no longer watched", metadata: ["job_id": "\(jobID)", "error": "\(error)"])
            await setState(jobID, .expired, at: now)
        case .failed(let jobID, let error):
            logger.error("poll failed", metadata: ["job_id": "\(jobID)", "error": "\(error)"])
            if error.isNotFound { await setState(jobID, .expired, at: now) }
        case .credentialsRejected(let error):
            logger.critical("CCE rejected the credentials; polling stopped until they are fixed", metadata: ["error": "\(error)"])
        }
    }

    private func record(jobID: String, tree: Job, changes: [PhaseChange], state: Watch.State?) async {
        do {
            let deliveries = try await store.planAndRecord(jobID: jobID, tree: tree, changes: changes, config: config.current, watchState: state)
            for change in changes {
                JobhookMetrics.phaseChange(type: change.job.type ?? "", phase: change.to, level: change.level.rawValue)
                logger.info("phase change", metadata: [
                    "job_id": "\(jobID)", "uid": "\(change.uid)", "level": "\(change.level.rawValue)",
                    "from": "\(change.from)", "to": "\(change.to)",
                ])
            }
            for delivery in deliveries { JobhookMetrics.ruleMatched(delivery.rule) }
            if !deliveries.isEmpty { await dispatcher.wake() }
        } catch {
            // Not recorded: make the poller forget these phases so the next poll reports them again.
            logger.error("cannot record phase changes; they will be detected again", metadata: ["job_id": "\(jobID)", "error": "\(error)"])
            if let known = try? await store.knownPhases() {
                await poller.forget(Set(changes.map(\.uid)), restoring: known)
            }
        }
    }

    private func setState(_ jobID: String, _ state: Watch.State, at date: Date) async {
        do {
            try await store.setWatchState(jobID, state, at: date)
        } catch {
            logger.error("cannot record watch state", metadata: ["job_id": "\(jobID)", "error": "\(error)"])
        }
    }
}
