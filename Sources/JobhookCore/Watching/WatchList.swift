public import Foundation
public import Logging

/// The one owner of the watch list: every source (config, API, `jobhook watch`, reload, discovery
/// and later SMN) adds, removes and finishes watches here, with one behaviour whatever the source.
///
/// The store is the truth: a watch is polled exactly when the store says it is `watching`, by the
/// poller of the account the store names. A job the store already knows keeps its state — a
/// finished job re-added must not fire again — and a watch removed through the API comes back only
/// when a person asks again (`revivesRemoved`).
public struct WatchList: Sendable {
    let store: any DeliveryStore
    /// One poller per CCE account, by account name.
    let pollers: [String: Poller]
    /// The account a watch joins when none is named (the first, or the only one).
    public let defaultAccount: String
    let logger: Logger
    let now: @Sendable () -> Date

    public init(store: any DeliveryStore, pollers: [Poller], logger: Logger, now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.pollers = Dictionary(pollers.map { ($0.account, $0) }, uniquingKeysWith: { first, _ in first })
        self.defaultAccount = pollers.first?.account ?? CCEAccount.defaultName
        self.logger = logger
        self.now = now
    }

    /// The accounts watches may name, in config order.
    public var accounts: Set<String> { Set(pollers.keys) }

    /// What `add` did.
    public struct Addition: Sendable {
        /// True when the job was not known before (the API answers 201, else 200).
        public var created: Bool
        /// The watch as the store now has it.
        public var watch: Watch?
    }

    /// Records the watch (of `account`, else the default account) and starts polling it when the
    /// store has it `watching` (with its original start, so `job_timeout` counts from when it was
    /// first added). A job the store knows keeps the account it was first watched under.
    @discardableResult
    public func add(_ jobID: String, source: WatchSource, account: String? = nil) async throws(StoreError) -> Addition {
        if !source.revivesRemoved, let known = try await store.watch(jobID), known.state == .removed {
            return Addition(created: false, watch: known)
        }
        let created = try await store.addWatch(jobID, source: source.rawValue, account: account ?? defaultAccount, at: now())
        let watch = try await store.watch(jobID)
        if let watch, watch.state == .watching, let poller = poller(for: watch),
           await poller.watch(jobID, since: watch.addedAt, now: source.pollsAtOnce) {
            logger.info("watching job", metadata: ["job_id": "\(jobID)", "source": "\(source.rawValue)", "account": "\(watch.account)"])
        }
        return Addition(created: created, watch: watch)
    }

    /// Stops polling and marks the watch removed (its phases stay known). False when unknown.
    public func remove(_ jobID: String) async throws(StoreError) -> Bool {
        let removed = try await store.removeWatch(jobID, at: now())
        await unwatch(jobID)
        return removed
    }

    /// Ends a watch the poller gave up on or saw end (finished, timed out, expired).
    public func finish(_ jobID: String, _ state: Watch.State) async throws(StoreError) {
        try await store.setWatchState(jobID, state, at: now())
        await unwatch(jobID)
    }

    /// Start-up: the configured jobs join the store under their account, then every watch still
    /// `watching` resumes on its account's poller. Returns how many are polled.
    @discardableResult
    public func resume(configured: [(jobID: String, account: String)]) async throws(StoreError) -> Int {
        var known: [String: Watch.State] = [:]
        for watch in try await store.watches() { known[watch.jobID] = watch.state }
        for (jobID, account) in configured where known[jobID] == nil {
            _ = try await store.addWatch(jobID, source: WatchSource.config.rawValue, account: account, at: now())
        }
        let watching = try await store.watches().filter { $0.state == .watching }
        var polled = 0
        for (account, group) in Dictionary(grouping: watching, by: \.account) {
            guard let poller = pollers[account] else {
                logger.warning("watches of an account no longer configured are not polled", metadata: [
                    "account": "\(account)", "watches": "\(group.count)",
                ])
                continue
            }
            var since: [String: Date] = [:]
            for watch in group { since[watch.jobID] = watch.addedAt }
            await poller.watch(contentsOf: group.map(\.jobID), since: since)
            polled += group.count
        }
        return polled
    }

    /// The single-account form: every configured job belongs to the default account.
    @discardableResult
    public func resume(configured: [String]) async throws(StoreError) -> Int {
        try await resume(configured: configured.map { ($0, defaultAccount) })
    }

    /// Makes each account's poller follow exactly the store's `watching` watches of that account
    /// (`WatchSync`, on a store several replicas share): another replica's API may have added or
    /// removed some, and a replica taking the work over starts from them. Jobs a poller began
    /// watching after the store was read stay, so a watch added meanwhile is not dropped.
    public func sync() async throws(StoreError) {
        var marks: [String: UInt64] = [:]
        for (account, poller) in pollers { marks[account] = await poller.watchMark }
        let watching = Dictionary(grouping: try await store.watchingJobs(), by: \.account)
        for (account, poller) in pollers {
            var since: [String: Date] = [:]
            for watch in watching[account] ?? [] { since[watch.jobID] = watch.addedAt }
            let change = await poller.follow(since, watchedBefore: marks[account] ?? 0)
            if change.added + change.removed > 0 {
                logger.debug("watches synced from the store", metadata: [
                    "account": "\(account)", "added": "\(change.added)", "removed": "\(change.removed)",
                ])
            }
        }
    }

    private func poller(for watch: Watch) -> Poller? {
        if let poller = pollers[watch.account] { return poller }
        logger.warning("the watch's account is not configured; not polled", metadata: ["job_id": "\(watch.jobID)", "account": "\(watch.account)"])
        return nil
    }

    private func unwatch(_ jobID: String) async {
        for poller in pollers.values { await poller.unwatch(jobID) }
    }
}
