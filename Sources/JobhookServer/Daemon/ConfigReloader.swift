import Foundation
public import JobhookCore
import Logging
import ServiceLifecycle
import UnixSignals

/// Validates and applies a new config (SIGHUP, `POST /-/reload`). Rules and receivers switch at
/// once; queued deliveries to a receiver that is gone become dead letters when they come due; new
/// `watch.jobs` join the watch list; `intake.smn` topics, certificate and age apply to the next
/// message. Settings that shape open connections, routes and files (cce, poll, state, server, the
/// intake route's path) need a restart, and the log says so. On any problem the old config stays in force.
public struct ConfigReloader: Sendable {
    /// Reads the config file again.
    public typealias Load = @Sendable () -> Result<Config, ConfigError>

    let load: Load
    let engine: Engine
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
            let old = engine.config.current
            engine.config.replace(new)
            await engine.dispatcher.setTargets(new.deliveryTargets)
            let before = Set(old.configuredWatches.map(\.jobID))
            for (jobID, account) in new.configuredWatches where !before.contains(jobID) && engine.watches.accounts.contains(account) {
                do {
                    try await engine.watches.add(jobID, source: .config, account: account)
                } catch {
                    logger.error("cannot add a configured watch", metadata: ["job_id": "\(jobID)", "error": "\(error)"])
                }
            }
            let restartNeeded = Self.sectionsNeedingRestart(old: old, new: new)
            if !restartNeeded.isEmpty {
                logger.warning("changes to these sections take effect after a restart", metadata: ["sections": "\(restartNeeded)"])
            }
            logger.info("config reloaded", metadata: ["receivers": "\(new.receivers.count)", "rules": "\(new.rules.count)"])
            JobhookMetrics.reload(success: true, at: Date().timeIntervalSince1970)
            return nil
        }
    }

    /// The sections whose changes a running daemon cannot apply.
    static func sectionsNeedingRestart(old: Config, new: Config) -> [String] {
        var sections: [String] = []
        let places = { (config: Config) in config.accounts.map { [$0.name, $0.cce.region, $0.cce.endpoint ?? "", $0.cce.projectID ?? ""] } }
        if places(old) != places(new) {
            sections.append("cce")
        }
        if old.poll != new.poll { sections.append("poll") }
        if old.state != new.state { sections.append("state") }
        if old.server.listen != new.server.listen { sections.append("server") }
        // The route is registered at start-up; its topics, certificate and max_age apply at once.
        if old.smnIntake?.path != new.smnIntake?.path { sections.append("intake.smn.path") }
        return sections
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
