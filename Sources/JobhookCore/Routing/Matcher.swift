import CCE

/// A rule's `match:` (or `unless:`): every key given must match; keys left out match anything.
public struct Matcher: Sendable {
    public enum Level: String, Sendable, Hashable, CaseIterable {
        case job, subjob, any
    }

    /// `spec.type` of the changed job or sub-job.
    public var type: MatchPattern?
    /// The new phase.
    public var phase: MatchPattern?
    /// The previous phase; `""` for a job or sub-job seen for the first time.
    public var from: MatchPattern?
    /// Always regexes: reasons are free text.
    public var reason: MatchPattern?
    public var level: Level
    public var clusterID: MatchPattern?
    public var resourceName: MatchPattern?
    /// The name of the CCE account the job belongs to (`cce[].name`; `default` in the single form).
    public var account: MatchPattern?

    public init(
        type: MatchPattern? = nil, phase: MatchPattern? = nil, from: MatchPattern? = nil, reason: MatchPattern? = nil,
        level: Level = .any, clusterID: MatchPattern? = nil, resourceName: MatchPattern? = nil, account: MatchPattern? = nil
    ) {
        self.type = type
        self.phase = phase
        self.from = from
        self.reason = reason
        self.level = level
        self.clusterID = clusterID
        self.resourceName = resourceName
        self.account = account
    }

    /// The YAML keys, in the order messages list them.
    static let keys = ["type", "phase", "from", "reason", "level", "cluster_id", "resource_name", "account"]

    public func matches(_ change: PhaseChange) -> Bool {
        switch level {
        case .any: break
        case .job: guard change.level == .job else { return false }
        case .subjob: guard change.level == .subjob else { return false }
        }
        let job = change.job
        // Sub-jobs often omit cluster_id; they work on their ancestor's cluster.
        let clusterID = job.clusterID ?? change.parent?.clusterID ?? change.root.clusterID ?? ""
        let checks: [(MatchPattern?, String)] = [
            (type, job.type ?? ""),
            (phase, change.to),
            (from, change.from),
            (reason, job.reason ?? ""),
            (self.clusterID, clusterID),
            (resourceName, job.resourceName ?? ""),
            (account, change.account),
        ]
        return checks.allSatisfy { pattern, value in pattern?.matches(value) ?? true }
    }

    /// Every regular expression the matcher uses.
    var expressions: [BoundedRegex] {
        [type, phase, from, reason, clusterID, resourceName, account].flatMap { $0?.expressions ?? [] }
    }
}
