import ArgumentParser
import JobhookCore

/// Which state store the `deliveries` subcommands open: `--state FILE`, else `state.path` from the config.
struct DeliveryStoreOptions: ParsableArguments {
    @Option(name: .customLong("state"), help: "The state store file (default: state.path from the config).")
    var statePath: String?

    @OptionGroup var config: ConfigOptions

    /// Opens an existing store: creating one here would only hide a wrong path or working directory.
    /// `mustExist: false` where writing first is normal (a silence added before the daemon's first start).
    func open(mustExist: Bool = true) throws -> SQLiteStore {
        try openStore(at: statePath ?? config.load().state.path, mustExist: mustExist)
    }
}

/// The answer for an id the store does not know: exit 1.
func unknownDelivery(_ id: String) -> ExitCode {
    printError("jobhook: no delivery with id \(id) (see `jobhook deliveries list --all`)")
    return ExitCode(1)
}
