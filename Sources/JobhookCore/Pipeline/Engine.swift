public import CCE
public import CurlHTTP
import Foundation
public import Logging
public import ServiceLifecycle

/// The stages wired together over one store — watch list → pollers (one per CCE account) →
/// pipeline → dispatcher, plus a discoverer per account — built in one place for every command that
/// runs them: `run` and `demo` (inside the daemon), and `watch` (with an in-memory store). The
/// daemon adds the HTTP API, reload and housekeeping around it.
public struct Engine: Sendable {
    public let config: ConfigSource
    public let store: any DeliveryStore
    /// One per account, in config order.
    public let pollers: [Poller]
    public let watches: WatchList
    public let pipeline: Pipeline
    public let dispatcher: Dispatcher
    /// One per account whose listings are given (nil for `jobhook watch`, which follows only the
    /// jobs it was given); each reads its `discover:` afresh every round.
    public let discoverers: [Discoverer]
    /// The SMN subscriber behind `intake.smn.path`; the daemon's API serves it when configured.
    public let intake: SMNIntake
    /// Whether this replica does the work (polling, listing, delivering): always on SQLite; on a
    /// shared PostgreSQL store while it holds the lease (`LeaseKeeper`).
    public let gate: ReplicaGate

    /// The first (or only) account's poller.
    public var poller: Poller { pollers[0] }

    /// What the engine needs of one CCE account.
    public struct Account: Sendable {
        public var name: String
        public var fetcher: any JobFetching
        /// The same client's listings, for discovery (nil: no discovery for this account).
        public var lister: (any JobListing)?

        public init(name: String, fetcher: any JobFetching, lister: (any JobListing)? = nil) {
            self.name = name
            self.fetcher = fetcher
            self.lister = lister
        }
    }

    /// - Parameters:
    ///   - accounts: the CCE clients, one per account (`Engine.make` builds them from `config.accounts`).
    ///   - pollExecutor: where polls run; the HTTP client's thread in production (see `make`).
    ///   - onEvent / onDelivery: observers for the demo and `watch`, told of recorded events and of attempts.
    public init(
        config: Config, store: any DeliveryStore, accounts: [Account], http: any HTTPClient,
        pollExecutor: (any SerialExecutor & TaskExecutor)? = nil, pollSettings: Poller.Settings? = nil,
        logger: Logger, onEvent: Pipeline.Observer? = nil, onDelivery: Dispatcher.Observer? = nil,
        gate: ReplicaGate = .alwaysActive
    ) async throws(StoreError) {
        precondition(!accounts.isEmpty, "an engine needs at least one CCE account")
        self.gate = gate
        self.config = ConfigSource(config)
        self.store = store
        let known = try await store.knownPhases()
        let settings = pollSettings ?? config.poll.pollerSettings
        pollers = accounts.map { account in
            var pollerLogger = logger.component("poller")
            if accounts.count > 1 { pollerLogger[metadataKey: "account"] = "\(account.name)" }
            return Poller(account: account.name, fetcher: account.fetcher, executor: pollExecutor, settings: settings,
                          logger: pollerLogger, knownPhases: known, gate: gate)
        }
        watches = WatchList(store: store, pollers: pollers, logger: logger.component("watches"))
        dispatcher = Dispatcher(store: store, http: http, targets: config.deliveryTargets,
                                logger: logger.component("dispatcher"), observer: onDelivery, gate: gate)
        pipeline = Pipeline(pollers: pollers, watches: watches, store: store, dispatcher: dispatcher, config: self.config,
                            logger: logger.component("pipeline"), observer: onEvent)
        var discoverers: [Discoverer] = []
        for (account, poller) in zip(accounts, pollers) {
            guard let lister = account.lister else { continue }
            discoverers.append(Discoverer(account: account.name, lister: lister, poller: poller, watches: watches, store: store,
                                          config: self.config, logger: logger.component("discovery")))
        }
        self.discoverers = discoverers
        var showCluster: [String: @Sendable (String) async -> Result<ListedCluster, CCEError>] = [:]
        for (account, poller) in zip(accounts, pollers) {
            guard let lister = account.lister else { continue }
            showCluster[account.name] = { clusterID in await poller.admitted { () async throws(CCEError) in try await lister.showCluster(clusterID) } }
        }
        intake = SMNIntake(config: self.config, store: store, watches: watches, showCluster: showCluster, http: http,
                           logger: logger.component("intake"))
    }

    /// One account (the config's first) served by `fetcher`: tests and single-client callers.
    public init(
        config: Config, store: any DeliveryStore, fetcher: any JobFetching, lister: (any JobListing)? = nil, http: any HTTPClient,
        pollExecutor: (any SerialExecutor & TaskExecutor)? = nil, pollSettings: Poller.Settings? = nil,
        logger: Logger, onEvent: Pipeline.Observer? = nil, onDelivery: Dispatcher.Observer? = nil
    ) async throws(StoreError) {
        try await self.init(config: config, store: store, accounts: [Account(name: config.accounts[0].name, fetcher: fetcher, lister: lister)],
                            http: http, pollExecutor: pollExecutor, pollSettings: pollSettings, logger: logger, onEvent: onEvent,
                            onDelivery: onDelivery)
    }

    /// This replica takes the work over (`LeaseKeeper`): the pollers start from the phases and
    /// watches the store holds now — the previous holder recorded changes since this replica last
    /// worked — and the dispatcher reads the queue afresh.
    public func takeOver() async throws(StoreError) {
        let known = try await store.knownPhases()
        for poller in pollers { await poller.reseed(knownPhases: known) }
        try await watches.sync()
        await dispatcher.wake()
    }

    /// The work moved to another replica: what the stages held in memory for it is dropped.
    public func standDown() async {
        for poller in pollers { await poller.standDown() }
        await dispatcher.standDown()
    }

    /// The discoverer of the first (or only) account, when there is one.
    public var discoverer: Discoverer? { discoverers.first }

    /// The engine for `config.accounts` over libcurl. The one place that knows polls run on the curl
    /// thread: scheduling, request, answer, decoding and diffing then stay on one thread (≈2
    /// context switches per poll instead of ≈12, bench/run).
    /// - Parameter discovery: list jobs as `discover:` says (the daemon); `jobhook watch` does not.
    public static func make(
        config: Config, store: any DeliveryStore, http: CurlClient, pollSettings: Poller.Settings? = nil, discovery: Bool = false,
        logger: Logger, onEvent: Pipeline.Observer? = nil, onDelivery: Dispatcher.Observer? = nil,
        gate: ReplicaGate = .alwaysActive
    ) async throws -> Engine {
        var accounts: [Account] = []
        for account in config.accounts {
            var cceLogger = logger.component("cce")
            if config.accounts.count > 1 { cceLogger[metadataKey: "account"] = "\(account.name)" }
            let client = try account.cce.client(http: http, logger: cceLogger)
            accounts.append(Account(name: account.name, fetcher: client, lister: discovery ? client : nil))
        }
        return try await Engine(
            config: config, store: store, accounts: accounts, http: http, pollExecutor: http.executor, pollSettings: pollSettings,
            logger: logger, onEvent: onEvent, onDelivery: onDelivery, gate: gate)
    }

    /// The services in `ServiceGroup` order. ServiceLifecycle shuts down in reverse order, so the
    /// producers go last: discovery stops first, then polling, the pipeline records what the pollers
    /// already reported, then the dispatcher drains in-flight attempts.
    public var services: [any Service] {
        [dispatcher, pipeline] + pollers.map { $0 as any Service } + discoverers.map { $0 as any Service }
    }

    /// Runs the stages alone (no API) until `until` returns, then shuts down gracefully.
    public func run(logger: Logger, until: @escaping @Sendable () async -> Void) async throws {
        try await ServiceGroup(services: services, logger: logger).run(until: until)
    }
}

extension ServiceGroup {
    /// Runs the group; once `until` returns, shuts it down gracefully. `until` is cancelled when the
    /// group ends first.
    public func run(until: @escaping @Sendable () async -> Void) async throws {
        try await withThrowingTaskGroup(of: Bool.self) { tasks in
            tasks.addTask { try await self.run(); return true }
            tasks.addTask {
                await until()
                if !Task.isCancelled { await self.triggerGracefulShutdown() }
                return false
            }
            while let groupEnded = try await tasks.next() {
                if groupEnded { tasks.cancelAll() }
            }
        }
    }
}

extension Logger {
    /// A child logger for one component, same handler and level.
    public func component(_ name: String) -> Logger {
        var copy = self
        copy[metadataKey: "component"] = "\(name)"
        return copy
    }
}
