import Synchronization

/// The config in force, replaceable on reload while stages keep reading it.
public final class ConfigSource: Sendable {
    private let value: Mutex<Config>

    public init(_ config: Config) {
        value = Mutex(config)
    }

    public var current: Config { value.withLock { $0 } }

    public func replace(_ config: Config) {
        value.withLock { $0 = config }
    }
}
