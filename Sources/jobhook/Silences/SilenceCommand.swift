import ArgumentParser

/// `jobhook silence`: mutes the deliveries of matching events for a while (planned work). Opens the
/// state store directly, like `deliveries`: safe while the daemon runs, which applies a new silence
/// within a second.
struct SilenceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "silence",
        abstract: "Add, list or expire silences.",
        discussion: "Exit 0 on success; 1 for an invalid silence, an unknown id or an unusable state store.",
        subcommands: [SilenceAddCommand.self, SilenceListCommand.self, SilenceExpireCommand.self],
        defaultSubcommand: SilenceListCommand.self
    )
}
