/// Loading failed: every problem found in the file, not just the first, so one `jobhook check`
/// run shows the user everything to fix.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var problems: [ConfigProblem]

    public init(problems: [ConfigProblem]) {
        self.problems = problems
    }

    /// One problem per line, in file order.
    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }
}
