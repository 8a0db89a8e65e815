import Synchronization

/// The config in force, replaceable on reload while stages keep reading it.
public final class ConfigSource: Sendable {
    private let value: Mutex<(config: Config, generation: Int)>

    public init(_ config: Config) {
        value = Mutex((config, 0))
    }

    public var current: Config { value.withLock { $0.config } }

    /// Counts replacements: a stage that stopped "until the next reload" looks for a change.
    public var generation: Int { value.withLock { $0.generation } }

    public func replace(_ config: Config) {
        value.withLock { $0 = (config, $0.generation + 1) }
    }
}
