public import CCE
public import CurlHTTP
import Foundation
public import Logging
public import ServiceLifecycle

/// The stages wired together over one store — watch list → poller → pipeline → dispatcher — built
/// in one place for every command that runs them: `run` and `demo` (inside the daemon), and
/// `watch` (with an in-memory store). The daemon adds the HTTP API, reload and housekeeping around it.
public struct Engine: Sendable {
    public let config: ConfigSource
    public let store: any DeliveryStore
    public let poller: Poller
    public let watches: WatchList
    public let pipeline: Pipeline
    public let dispatcher: Dispatcher
    /// Lists the account's jobs when `discover:` says so; nil for `jobhook watch`, which follows only
    /// the jobs it was given.
    public let discoverer: Discoverer?

    /// - Parameters:
    ///   - fetcher: the CCE client (`Engine.make` builds it from `config.cce`).
    ///   - lister: the same client's listings, for discovery (nil: no discovery at all).
    ///   - pollExecutor: where polls run; the HTTP client's thread in production (see `make`).
    ///   - onEvent / onDelivery: observers for the demo and `watch`, told of recorded events and of attempts.
    public init(
        config: Config, store: any DeliveryStore, fetcher: any JobFetching, lister: (any JobListing)? = nil, http: any HTTPClient,
        pollExecutor: (any SerialExecutor & TaskExecutor)? = nil, pollSettings: Poller.Settings? = nil,
        logger: Logger, onEvent: Pipeline.Observer? = nil, onDelivery: Dispatcher.Observer? = nil
    ) async throws(StoreError) {
        self.config = ConfigSource(config)
        self.store = store
        let known = try await store.knownPhases()
        poller = Poller(fetcher: fetcher, executor: pollExecutor, settings: pollSettings ?? config.poll.pollerSettings,
                        logger: logger.component("poller"), knownPhases: known)
        watches = WatchList(store: store, poller: poller, logger: logger.component("watches"))
        dispatcher = Dispatcher(store: store, http: http, targets: config.receivers.map(\.deliveryTarget),
                                logger: logger.component("dispatcher"), observer: onDelivery)
        pipeline = Pipeline(poller: poller, watches: watches, store: store, dispatcher: dispatcher, config: self.config,
                            logger: logger.component("pipeline"), observer: onEvent)
        if let lister {
            discoverer = Discoverer(account: "default", lister: lister, poller: poller, watches: watches, store: store,
                                    config: self.config, logger: logger.component("discovery"))
        } else {
            discoverer = nil
        }
    }

    /// The engine for `config.cce` over libcurl. The one place that knows polls run on the curl
    /// thread: scheduling, request, answer, decoding and diffing then stay on one thread (≈2
    /// context switches per poll instead of ≈12, bench/run).
    /// - Parameter discovery: list jobs as `discover:` says (the daemon); `jobhook watch` does not.
    public static func make(
        config: Config, store: any DeliveryStore, http: CurlClient, pollSettings: Poller.Settings? = nil, discovery: Bool = false,
        logger: Logger, onEvent: Pipeline.Observer? = nil, onDelivery: Dispatcher.Observer? = nil
    ) async throws -> Engine {
        let client = try config.cce.client(http: http, logger: logger.component("cce"))
        return try await Engine(
            config: config, store: store, fetcher: client, lister: discovery ? client as any JobListing : nil, http: http, pollExecutor: http.executor,
            pollSettings: pollSettings,
            logger: logger, onEvent: onEvent, onDelivery: onDelivery)
    }

    /// The services in `ServiceGroup` order. ServiceLifecycle shuts down in reverse order, so the
    /// producers go last: discovery stops first, then polling, the pipeline records what the poller
    /// already reported, then the dispatcher drains in-flight attempts.
    public var services: [any Service] {
        var services: [any Service] = [dispatcher, pipeline, poller]
        if let discoverer { services.append(discoverer) }
        return services
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
