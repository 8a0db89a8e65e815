public import Foundation
public import Logging

/// The one owner of the watch list: every source (config, API, `jobhook watch`, reload, and later
/// discovery and SMN) adds, removes and finishes watches here, with one behaviour whatever the source.
///
/// The store is the truth: a watch is polled exactly when the store says it is `watching`. A job
/// the store already knows keeps its state — a finished job re-added must not fire again — and a
/// watch removed through the API comes back only when a person asks again (`revivesRemoved`).
public struct WatchList: Sendable {
    let store: any DeliveryStore
    let poller: Poller
    let logger: Logger
    let now: @Sendable () -> Date

    public init(store: any DeliveryStore, poller: Poller, logger: Logger, now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.poller = poller
        self.logger = logger
        self.now = now
    }

    /// What `add` did.
    public struct Addition: Sendable {
        /// True when the job was not known before (the API answers 201, else 200).
        public var created: Bool
        /// The watch as the store now has it.
        public var watch: Watch?
    }

    /// Records the watch and starts polling it when the store has it `watching` (with its original
    /// start, so `job_timeout` counts from when it was first added).
    @discardableResult
    public func add(_ jobID: String, source: WatchSource) async throws(StoreError) -> Addition {
        if !source.revivesRemoved, let known = try await store.watch(jobID), known.state == .removed {
            return Addition(created: false, watch: known)
        }
        let created = try await store.addWatch(jobID, source: source.rawValue, at: now())
        let watch = try await store.watch(jobID)
        if let watch, watch.state == .watching, await poller.watch(jobID, since: watch.addedAt) {
            logger.info("watching job", metadata: ["job_id": "\(jobID)", "source": "\(source.rawValue)"])
        }
        return Addition(created: created, watch: watch)
    }

    /// Stops polling and marks the watch removed (its phases stay known). False when unknown.
    public func remove(_ jobID: String) async throws(StoreError) -> Bool {
        let removed = try await store.removeWatch(jobID, at: now())
        await poller.unwatch(jobID)
        return removed
    }

    /// Ends a watch the poller gave up on or saw end (finished, timed out, expired).
    public func finish(_ jobID: String, _ state: Watch.State) async throws(StoreError) {
        try await store.setWatchState(jobID, state, at: now())
        await poller.unwatch(jobID)
    }

    /// Start-up: the configured jobs join the store, then every watch still `watching` resumes.
    /// Returns how many are polled.
    @discardableResult
    public func resume(configured: [String]) async throws(StoreError) -> Int {
        var known: [String: Watch.State] = [:]
        for watch in try await store.watches() { known[watch.jobID] = watch.state }
        for jobID in configured where known[jobID] == nil {
            _ = try await store.addWatch(jobID, source: WatchSource.config.rawValue, at: now())
        }
        let watching = try await store.watches().filter { $0.state == .watching }
        var since: [String: Date] = [:]
        for watch in watching { since[watch.jobID] = watch.addedAt }
        await poller.watch(contentsOf: watching.map(\.jobID), since: since)
        return watching.count
    }
}
