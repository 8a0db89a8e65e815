/// A routing rule: when `match` holds and `unless` does not, notify each receiver.
public struct Rule: Sendable {
    public var name: String
    public var match: Matcher
    /// Drops the event when all its keys match.
    public var unless: Matcher?
    /// Receiver names, checked against the config's receivers at load time.
    public var notify: [String]
    /// Folds a job's matching changes within this window into one delivery (one alert per failed
    /// cluster, listing every failed sub-job), see `Grouping`.
    public var groupWait: Duration?

    public init(name: String, match: Matcher, unless: Matcher? = nil, notify: [String], groupWait: Duration? = nil) {
        self.name = name
        self.match = match
        self.unless = unless
        self.notify = notify
        self.groupWait = groupWait
    }

    public func matches(_ change: PhaseChange) -> Bool {
        guard match.matches(change) else { return false }
        if let unless, unless.matches(change) { return false }
        return true
    }

    /// Every regular expression of `match` and `unless`, for reporting their limit hits.
    public var expressions: [BoundedRegex] { match.expressions + (unless?.expressions ?? []) }
}
