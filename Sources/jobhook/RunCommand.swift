import ArgumentParser
import CCE
import CurlHTTP
import Foundation
import JobhookCore
import JobhookPostgres
import JobhookServer
import Logging
import Metrics
import Prometheus

/// `jobhook run`: the daemon.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Poll watched jobs, deliver notifications and serve the HTTP API until SIGTERM/SIGINT.",
        discussion: "Exit 0 after a graceful drain on SIGTERM/SIGINT; 2 on a bad config; 1 when the state store cannot be used.")

    @OptionGroup var config: ConfigOptions
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        // Loaded first, so that log records hide the config's secrets (a bad config is printed, not logged).
        let loaded = try config.load()
        let logger = logging.bootstrap(redactor: Redactor(config: loaded))
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let http = CurlClient()
        defer { http.shutdown() }
        let (store, replication) = try await openDaemonStore(loaded.state, logger: logger)
        let daemon = try await startOrExit(redactor: Redactor(config: loaded)) {
            try await Daemon.make(
                config: loaded, store: store, http: http, logger: logger,
                metrics: { registry.emitToString() },
                reload: { [path = config.resolvedPath] in
                    Result { () throws(ConfigError) in try ConfigLoader.load(path: path, environment: ProcessInfo.processInfo.environment) }
                }, replication: replication)
        }
        logger.info("jobhook \(JobhookVersion.current) running", metadata: [
            "config": "\(config.resolvedPath)", "cce": "\(loaded.cce.endpoint ?? loaded.cce.region)", "state": "\(loaded.state.displayName)",
        ])
        try await daemon.run()
        logger.info("stopped")
    }
}
