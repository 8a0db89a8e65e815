import CCE
public import ArgumentParser
import JobhookCore
import Logging

extension LineLogHandler.Format: ExpressibleByArgument {}
extension Logger.Level: @retroactive ExpressibleByArgument {}

/// `--timeout 30m`, `--interval 5s`: the same duration grammar as rules.yaml.
extension Duration: @retroactive ExpressibleByArgument {
    public init?(argument: String) {
        guard let duration = DurationText.parse(argument) else { return nil }
        self = duration
    }
}

/// `--log-level` and `--log-format`; bootstraps swift-log once, in the executable only.
struct LoggingOptions: ParsableArguments {
    @Option(help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    @Option(help: "text or json (JSON lines, for containers).")
    var logFormat: LineLogHandler.Format = .text

    /// `redactor`: the config's secrets, hidden in every record on top of the URL masking all get.
    func bootstrap(redactor: Redactor = Redactor()) -> Logger {
        Self.bootstrap(level: logLevel, format: logFormat, redactor: redactor)
    }

    /// Lines go through `LineLogHandler.standardErrorSink(for:)`: queued, written by their own
    /// thread, flushed (bounded) by `Jobhook.main` before the process exits.
    static func bootstrap(level: Logger.Level, format: LineLogHandler.Format, redactor: Redactor = Redactor()) -> Logger {
        LoggingSystem.bootstrap { label in LineLogHandler(label: label, level: level, format: format, redactor: redactor) }
        return Logger(label: "jobhook")
    }
}
