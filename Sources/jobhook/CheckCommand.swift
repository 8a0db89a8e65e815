import ArgumentParser
import JobhookCore

/// `jobhook check`: validates the config without touching the network.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate rules.yaml: schema, unknown keys, regexes, templates, receivers, secrets.",
        discussion: "Prints one line per problem as FILE:LINE:COLUMN: message. Exit 0 valid, 1 invalid.")

    @OptionGroup var config: ConfigOptions

    func run() async throws {
        let loaded = try config.load(exitCode: 1)
        let errors = ConfigCheck.credentials(loaded)
        let warnings = ConfigCheck.run(loaded)
        for problem in errors + warnings { printError(problem.description) }
        if !errors.isEmpty { throw ExitCode(1) }
        print("\(config.resolvedPath): OK — \(loaded.receivers.count) receivers, \(loaded.rules.count) rules"
            + (warnings.isEmpty ? "" : ", \(warnings.count) warnings"))
    }
}
