/// One thing wrong (or worth a warning) in the config file, pinned to where it is.
public struct ConfigProblem: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable {
        case error
        case warning
    }

    public var file: String
    public var line: Int
    public var column: Int
    /// Never contains a secret's value: messages about secret fields say "the value".
    public var message: String
    public var severity: Severity

    public init(file: String, line: Int, column: Int, message: String, severity: Severity = .error) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.severity = severity
    }

    /// `FILE:LINE:COLUMN: message`, the form editors and CI annotate; warnings say so.
    public var description: String {
        let prefix = severity == .warning ? "warning: " : ""
        return "\(file):\(line):\(column): \(prefix)\(message)"
    }
}
