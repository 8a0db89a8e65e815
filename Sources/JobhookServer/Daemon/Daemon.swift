public import CCE
public import CurlHTTP
public import Foundation
public import JobhookCore
public import Logging
import ServiceLifecycle
import UnixSignals

/// `jobhook run`: the poller, the pipeline, the dispatcher and the HTTP API over one state store,
/// run as one ServiceGroup. Services are listed consumers first and the poller last, because
/// ServiceLifecycle shuts down in reverse order: polling stops first, the pipeline records what the
/// poller already reported, the dispatcher drains in-flight attempts, and the API goes last.
public struct Daemon: Sendable {
    public let store: any DeliveryStore
    public let poller: Poller
    public let dispatcher: Dispatcher
    public let config: ConfigSource
    let pipeline: Pipeline
    let api: APIServer?
    let reloader: ConfigReloader?
    let logger: Logger

    /// - Parameters:
    ///   - fetcher: the CCE client (built from `config.cce` by the caller).
    ///   - reload: how to read the config again (SIGHUP, `POST /-/reload`); nil disables reloading.
    ///   - onEvent / onDelivery: observers for the demo and `watch`.
    public init(
        config: Config, store: any DeliveryStore, fetcher: any JobFetching, http: any HTTPClient,
        logger: Logger = Logger(label: "jobhook"), withAPI: Bool = true,
        metrics: @escaping @Sendable () async -> String = { "" },
        reload: ConfigReloader.Load? = nil,
        onEvent: Pipeline.Observer? = nil, onDelivery: Dispatcher.Observer? = nil
    ) async throws {
        let readiness = Readiness()
        self.store = store
        self.logger = logger
        self.config = ConfigSource(config)
        let known = try await store.knownPhases()
        poller = Poller(fetcher: fetcher, settings: config.poll.pollerSettings, logger: logger.component("poller"), knownPhases: known)
        dispatcher = Dispatcher(
            store: store, http: http, targets: config.receivers.map(\.deliveryTarget),
            logger: logger.component("dispatcher"), observer: onDelivery)
        pipeline = Pipeline(
            poller: poller, store: store, dispatcher: dispatcher, config: self.config,
            logger: logger.component("pipeline"),
            observer: { event in
                switch event {
                case .credentialsRejected(let error):
                    readiness.credentialsRejected(error.description)
                    JobhookMetrics.credentialsBlocked(true)
                case .changes, .finished:
                    if readiness.reason != nil { JobhookMetrics.credentialsBlocked(false) }
                    readiness.pollSucceeded()
                default: break
                }
                await onEvent?(event)
            })
        let source = self.config
        var reloader: ConfigReloader?
        if let reload {
            reloader = ConfigReloader(load: reload, config: source, store: store, poller: poller, dispatcher: dispatcher, logger: logger)
        }
        self.reloader = reloader
        if withAPI, let listen = config.server.listen {
            var hooks = Self.hooks(store: store, poller: poller, dispatcher: dispatcher)
            if let reloader {
                hooks.reload = { @Sendable () async -> String? in
                    guard let error = await reloader.reload() else { return nil }
                    return error.description
                }
            }
            hooks.readiness = { readiness.reason }
            hooks.metrics = metrics
            api = try APIServer(listen: listen, token: config.server.token, hooks: hooks, logger: logger.component("api"))
        } else {
            api = nil
        }
        try await resumeWatches(config.watch.jobs)
    }

    /// Watches from the config join the store; every watch still `watching` in the store resumes, with
    /// its original start time so `job_timeout` counts from when it was first added.
    private func resumeWatches(_ configured: [String]) async throws {
        let now = Date()
        for jobID in configured {
            _ = try await store.addWatch(jobID, source: "config", at: now)
        }
        let watching = try await store.watches().filter { $0.state == .watching }
        for watch in watching {
            await poller.watch(watch.jobID, since: watch.addedAt)
        }
        let pending = try await store.pendingCount()
        logger.info("state loaded", metadata: ["watching": "\(watching.count)", "pending_deliveries": "\(pending)"])
    }

    static func hooks(store: any DeliveryStore, poller: Poller, dispatcher: Dispatcher) -> APIServer.Hooks {
        var hooks = APIServer.Hooks(store: store)
        hooks.addWatch = { jobID in
            let created = try await store.addWatch(jobID, source: "api", at: Date())
            if let watch = try await store.watch(jobID), watch.state == .watching {
                await poller.watch(jobID, since: watch.addedAt)
            }
            return created
        }
        hooks.removeWatch = { jobID in
            let removed = try await store.removeWatch(jobID, at: Date())
            await poller.unwatch(jobID)
            return removed
        }
        hooks.retryDelivery = { id in
            let found = try await store.retry(id, now: Date())
            if found { await dispatcher.wake() }
            return found
        }
        return hooks
    }

    /// Runs until SIGTERM/SIGINT (or cancellation), then shuts down gracefully.
    /// - Parameters:
    ///   - onAPIRunning: receives the API's bound port.
    ///   - until: when given, the daemon also shuts down gracefully once it returns (the demo).
    public func run(
        onAPIRunning: @escaping @Sendable (Int) async -> Void = { _ in },
        until: (@Sendable () async -> Void)? = nil
    ) async throws {
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let reloader {
            services.append(.init(service: ReloadOnHangup(reloader: reloader)))
        }
        if let api {
            services.append(.init(service: api.application(onServerRunning: onAPIRunning)))
        }
        services.append(.init(service: Housekeeping(store: store, logger: logger.component("housekeeping"))))
        services.append(.init(service: dispatcher))
        services.append(.init(service: pipeline))
        services.append(.init(service: poller))
        var configuration = ServiceGroupConfiguration(services: services, logger: logger)
        configuration.gracefulShutdownSignals = [.sigterm, .sigint]
        configuration.maximumGracefulShutdownDuration = .seconds(15)
        let group = ServiceGroup(configuration: configuration)
        let stopper = until.map { until in
            Task {
                await until()
                await group.triggerGracefulShutdown()
            }
        }
        defer { stopper?.cancel() }
        try await group.run()
    }
}

extension Logger {
    /// A child logger for one component, same handler and level.
    func component(_ name: String) -> Logger {
        var copy = self
        copy[metadataKey: "component"] = "\(name)"
        return copy
    }
}
