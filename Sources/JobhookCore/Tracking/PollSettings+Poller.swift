extension PollSettings {
    /// The poller's settings for this `poll:` section (backoff knobs keep their defaults).
    public var pollerSettings: Poller.Settings {
        Poller.Settings(interval: interval, concurrency: concurrency, maxRPS: Double(maxRPS), jobTimeout: jobTimeout)
    }
}
