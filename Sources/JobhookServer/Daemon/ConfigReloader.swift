public import Foundation
public import JobhookCore
import Logging
import ServiceLifecycle
import UnixSignals

/// Validates and applies a new config (SIGHUP, `POST /-/reload`). Rules and receivers switch at
/// once; queued deliveries to a receiver that is gone become dead letters when they come due; new
/// `watch.jobs` start polling. Settings that shape open connections and files (cce, poll, state,
/// server) need a restart, and the log says so. On any problem the old config stays in force.
public struct ConfigReloader: Sendable {
    /// Reads the config file again.
    public typealias Load = @Sendable () -> Result<Config, ConfigError>

    let load: Load
    let config: ConfigSource
    let store: any DeliveryStore
    let poller: Poller
    let dispatcher: Dispatcher
    let logger: Logger

    /// - Returns: nil on success, else the problems (also logged and exported as a metric).
    @discardableResult
    func reload() async -> ConfigError? {
        switch load() {
        case .failure(let error):
            logger.error("reload failed; the previous config stays in force", metadata: ["problems": "\(error.problems.map(\.description))"])
            JobhookMetrics.reload(success: false, at: Date().timeIntervalSince1970)
            return error
        case .success(let new):
            let old = config.current
            config.replace(new)
            await dispatcher.setTargets(new.receivers.map(\.deliveryTarget))
            for jobID in new.watch.jobs where !old.watch.jobs.contains(jobID) {
                if (try? await store.addWatch(jobID, source: "config", at: Date())) == true {
                    await poller.watch(jobID)
                }
            }
            var restartNeeded: [String] = []
            if old.cce.region != new.cce.region || old.cce.endpoint != new.cce.endpoint || old.cce.projectID != new.cce.projectID {
                restartNeeded.append("cce")
            }
            if old.poll != new.poll { restartNeeded.append("poll") }
            if old.state != new.state { restartNeeded.append("state") }
            if old.server.listen != new.server.listen { restartNeeded.append("server") }
            if !restartNeeded.isEmpty {
                logger.warning("changes to these sections take effect after a restart", metadata: ["sections": "\(restartNeeded)"])
            }
            logger.info("config reloaded", metadata: ["receivers": "\(new.receivers.count)", "rules": "\(new.rules.count)"])
            JobhookMetrics.reload(success: true, at: Date().timeIntervalSince1970)
            return nil
        }
    }
}

/// Reloads on every SIGHUP, the Unix daemon convention (`systemctl reload`, `kill -HUP`).
struct ReloadOnHangup: Service {
    let reloader: ConfigReloader

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            await reloader.reload()
        }
    }
}
