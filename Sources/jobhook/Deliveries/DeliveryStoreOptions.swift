import ArgumentParser
import Foundation
import JobhookCore

/// Which state store the `deliveries` and `silence` subcommands open: `--state FILE`, else the
/// config's store — `state.postgres` when it has one (a silence added to a stray SQLite file would
/// silently mute nothing), else `state.path`.
struct DeliveryStoreOptions: ParsableArguments {
    @Option(name: .customLong("state"), help: "The state store file (default: state.path from the config).")
    var statePath: String?

    @OptionGroup var config: ConfigOptions

    /// Opens an existing store: creating one here would only hide a wrong path or working directory.
    /// `mustExist: false` where writing first is normal (a silence added before the daemon's first start).
    func open(mustExist: Bool = true) async throws -> any DeliveryStore {
        if let statePath { return try openStore(at: statePath, mustExist: mustExist) }
        let state = try config.load().state
        if let postgres = state.postgres { return try await openPostgresStore(postgres.url) }
        return try openStore(at: state.path, mustExist: mustExist)
    }
}

extension DeliveryStoreOptions {
    /// Hides the config's secrets in what `list` shows; with `--state` and no readable config, URL
    /// masking only (a config problem must not stop an inspection of the queue).
    func redactor() -> Redactor {
        guard let loaded = try? ConfigLoader.load(path: config.resolvedPath, environment: ProcessInfo.processInfo.environment)
        else { return Redactor() }
        return Redactor(config: loaded)
    }
}

/// The answer for an id the store does not know: exit 1.
func unknownDelivery(_ id: String) -> ExitCode {
    printError("jobhook: no delivery with id \(id) (see `jobhook deliveries list --all`)")
    return ExitCode(1)
}
