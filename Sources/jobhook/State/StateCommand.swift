import ArgumentParser

/// `jobhook state`: operations on the state store as a whole.
struct StateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "state",
        abstract: "Operations on the state store as a whole.",
        subcommands: [StateCopyCommand.self]
    )
}
