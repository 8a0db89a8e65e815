import ArgumentParser
import Foundation
import JobhookCore

/// `-c FILE`, else `$JOBHOOK_CONFIG`, else `./rules.yaml` (README.md "Commands").
struct ConfigOptions: ParsableArguments {
    @Option(name: [.customShort("c"), .customLong("config")], help: "The config file (default: $JOBHOOK_CONFIG, else ./rules.yaml).")
    var path: String?

    var resolvedPath: String {
        path ?? ProcessInfo.processInfo.environment["JOBHOOK_CONFIG"].flatMap { $0.isEmpty ? nil : $0 } ?? "./rules.yaml"
    }

    /// Loads the config or exits with status `exitCode` after printing every problem, one per line.
    func load(exitCode: Int32 = 2, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Config {
        do {
            return try ConfigLoader.load(path: resolvedPath, environment: environment)
        } catch {
            // A problem may quote a value that is not a usable URL: masked like every printed URL.
            for problem in error.problems { printError(PrintableText.escape(Redactor().text(problem.description))) }
            throw ExitCode(exitCode)
        }
    }
}

/// One line to standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
