import ArgumentParser
import CurlHTTP
import Foundation
import JobhookCore

/// The `jobhook` command line. Each subcommand wires stages together and holds no logic of its own.
@main
struct Jobhook: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobhook",
        abstract: "Turns Huawei Cloud CCE job phase changes into webhooks.",
        version: JobhookVersion.current,
        subcommands: [
            // Subcommands register here, one line each.
            RunCommand.self,
            WatchCommand.self,
            JobsCommand.self,
            CheckCommand.self,
            TestCommand.self,
            SendTestCommand.self,
            DeliveriesCommand.self,
            StateCommand.self,
            SilenceCommand.self,
            SimulateCommand.self,
            DemoCommand.self,
        ]
    )

    /// ArgumentParser exits 64 on usage errors; jobhook documents 2 (README.md "Commands").
    static func main() async {
        MallocArenas.limit()
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
            flushLogs()
        } catch {
            flushLogs()
            let code = exitCode(for: error)
            if code == .validationFailure {
                printError(fullMessage(for: error))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }

    /// Log lines are written by their own thread; a short command must not exit before its last
    /// lines are out. Bounded: a stderr nobody reads must not keep the process alive.
    private static func flushLogs() {
        LineLogHandler.flushStandardError(timeout: .seconds(1))
    }
}
