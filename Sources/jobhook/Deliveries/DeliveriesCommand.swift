import ArgumentParser

/// `jobhook deliveries`: inspects and re-drives the delivery queue. Opens the state store directly,
/// which is safe while the daemon runs (WAL mode; writes wait out the daemon's brief locks).
/// `jobhook deliveries` alone lists.
struct DeliveriesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deliveries",
        abstract: "List, retry or drop queued notifications.",
        discussion: "Safe while the daemon runs. Exit 0 on success; 1 when the id is unknown or the state store cannot be used.",
        subcommands: [DeliveriesListCommand.self, DeliveriesRetryCommand.self, DeliveriesDropCommand.self],
        defaultSubcommand: DeliveriesListCommand.self
    )
}
