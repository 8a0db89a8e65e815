public import CurlHTTP
import Foundation
public import JobhookCore
public import Logging
import ServiceLifecycle
import UnixSignals

/// `jobhook run` (and the demo): the engine's stages plus the HTTP API, reload on SIGHUP and
/// housekeeping, run as one ServiceGroup. Services are listed consumers first and the poller last,
/// because ServiceLifecycle shuts down in reverse order: polling stops first, the pipeline records
/// what the poller already reported, the dispatcher drains in-flight attempts, and the API goes last.
public struct Daemon: Sendable {
    public let engine: Engine
    let readiness: Readiness
    let api: APIServer?
    let reloader: ConfigReloader?
    let logger: Logger
    /// On a store replicas share (`make(replication:)`): who keeps the lease, and who makes the
    /// working replica follow the watches every replica's API changes.
    var leaseKeeper: LeaseKeeper?
    var watchSync: WatchSync?

    /// Several replicas on one PostgreSQL store: one at a time does the work, under a lease.
    public struct Replication: Sendable {
        public var store: any ReplicaLeaseStore
        /// This replica's name, unique among them (`ReplicaName`).
        public var holder: String
        public var term: ReplicaLease.Term

        public init(store: any ReplicaLeaseStore, holder: String, term: ReplicaLease.Term) {
            self.store = store
            self.holder = holder
            self.term = term
        }
    }

    /// - Parameters:
    ///   - reload: how to read the config again (SIGHUP, `POST /-/reload`); nil disables reloading.
    ///   - withAPI: serve `server.listen` (the demo runs without it).
    public init(
        engine: Engine, readiness: Readiness, logger: Logger, withAPI: Bool = true,
        metrics: @escaping @Sendable () async -> String = { "" }, reload: ConfigReloader.Load? = nil
    ) throws {
        self.engine = engine
        self.readiness = readiness
        self.logger = logger
        let reloader = reload.map { ConfigReloader(load: $0, engine: engine, logger: logger.component("reload")) }
        self.reloader = reloader
        let config = engine.config.current
        if withAPI, let listen = config.server.listen {
            var hooks = APIServer.Hooks(engine: engine)
            if let reloader {
                // Problems never quote a value; URLs in them are masked all the same, as in the log.
                hooks.reload = { @Sendable () async -> String? in (await reloader.reload()?.description).map(Redactor().text) }
            }
            hooks.readiness = { readiness.reason }
            hooks.metrics = metrics
            var server = try APIServer(listen: listen, token: config.server.token, hooks: hooks, logger: logger.component("api"))
            if let smn = config.smnIntake { server.intake = (engine.intake, smn.path) }
            api = server
        } else {
            api = nil
        }
    }

    /// The daemon for `config` over libcurl: the engine (with readiness following its events), the
    /// API, reload; every watch still `watching` in the store resumes. Throws `CCEError` for
    /// unusable CCE settings, `StoreError` when the store cannot be read, else the API's error.
    public static func make(
        config: Config, store: any DeliveryStore, http: CurlClient, logger: Logger, withAPI: Bool = true,
        metrics: @escaping @Sendable () async -> String = { "" }, reload: ConfigReloader.Load? = nil,
        onEvent: Pipeline.Observer? = nil, replication: Replication? = nil
    ) async throws -> Daemon {
        let readiness = Readiness()
        let gate = replication == nil ? ReplicaGate.alwaysActive : ReplicaGate()
        let engine = try await Engine.make(config: config, store: store, http: http, discovery: true, logger: logger, onEvent: { event, account in
            readiness.observe(event, account: account)
            await onEvent?(event, account)
        }, gate: gate)
        var daemon = try Daemon(engine: engine, readiness: readiness, logger: logger, withAPI: withAPI, metrics: metrics, reload: reload)
        if let replication {
            let hooks = LeaseKeeper.Hooks(
                takeOver: { try await engine.takeOver() }, standDown: { await engine.standDown() },
                reachability: { readiness.database($0) })
            daemon.leaseKeeper = LeaseKeeper(store: replication.store, holder: replication.holder, term: replication.term, gate: gate,
                                             hooks: hooks, logger: logger.component("lease"))
            daemon.watchSync = WatchSync(watches: engine.watches, gate: gate, logger: logger.component("watches"))
        }
        try await daemon.resumeWatches()
        return daemon
    }

    /// Every watch still `watching` in the store resumes, with the configured jobs added first.
    public func resumeWatches() async throws(StoreError) {
        let watching = try await engine.watches.resume(configured: engine.config.current.configuredWatches)
        let pending = try await engine.store.pendingCount()
        logger.info("state loaded", metadata: ["watching": "\(watching)", "pending_deliveries": "\(pending)"])
    }

    /// Runs until SIGTERM/SIGINT (or cancellation), then shuts down gracefully.
    /// - Parameters:
    ///   - onAPIRunning: receives the API's bound port.
    ///   - until: when given, the daemon also shuts down gracefully once it returns (the demo).
    public func run(
        onAPIRunning: @escaping @Sendable (Int) async -> Void = { _ in },
        until: (@Sendable () async -> Void)? = nil
    ) async throws {
        // ServiceLifecycle stops services in reverse order: the lease keeper comes first so it goes
        // last, releasing the lease only once the work has drained (outcomes recorded under it).
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = leaseKeeper.map { [.init(service: $0)] } ?? []
        if let reloader {
            services.append(.init(service: ReloadOnHangup(reloader: reloader)))
        }
        if let api {
            services.append(.init(service: api.application(onServerRunning: onAPIRunning)))
        }
        var housekeeping = Housekeeping(store: engine.store, logger: logger.component("housekeeping"))
        if let maxAge = engine.config.current.smnIntake?.maxAge {
            // Twice the longest age a message may have, plus the future skew it may come with.
            housekeeping.intakeMemory = max(housekeeping.intakeMemory, 2 * Double(maxAge.components.seconds) + SMNAdmission.futureSkew)
        }
        services.append(.init(service: housekeeping))
        services += engine.services.map { .init(service: $0) }
        if let watchSync { services.append(.init(service: watchSync)) }
        var configuration = ServiceGroupConfiguration(services: services, logger: logger)
        configuration.gracefulShutdownSignals = [.sigterm, .sigint]
        configuration.maximumGracefulShutdownDuration = .seconds(15)
        let group = ServiceGroup(configuration: configuration)
        if let until {
            try await group.run(until: until)
        } else {
            try await group.run()
        }
    }
}
