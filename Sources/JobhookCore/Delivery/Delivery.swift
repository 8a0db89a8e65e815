public import Foundation

/// One notification owed to one receiver: a rendered request plus its delivery bookkeeping.
/// Written to the store in the same transaction as the phase change that caused it, before the
/// first attempt, so a crash can delay it but never lose it.
public struct Delivery: Sendable, Hashable, Codable, Identifiable {
    public enum State: String, Sendable, Hashable, Codable, CaseIterable {
        case pending
        case delivered
        case dead
        /// Muted by a silence when it was planned: kept, never sent unless re-driven (`retry`).
        case silenced
    }

    /// The event id (`webhook-id`): stable per change × rule × receiver (for a group, its opening
    /// change), so it doubles as the de-duplication key — recording the same change twice cannot
    /// queue it twice.
    public var id: String
    public var receiver: String
    public var rule: String
    /// The watched (top-level) job.
    public var jobID: String
    /// The job or sub-job whose change caused it.
    public var uid: String
    /// `from → to`, for tables and logs.
    public var transition: String
    public var request: RenderedRequest
    public var state: State
    /// Attempts made so far (the first included).
    public var attempts: Int
    /// When the change was detected: the start of `max_age` and of the latency metric.
    public var createdAt: Date
    public var nextAttemptAt: Date
    public var lastError: String?
    public var finishedAt: Date?
    /// Set when this delivery is a `group_wait` group: the job, rule and receiver whose changes it
    /// gathers (see `Grouping`).
    public var group: GroupKey?
    /// The CCE account of the job.
    public var account: String

    public init(
        id: String, receiver: String, rule: String, jobID: String, uid: String, transition: String,
        request: RenderedRequest, state: State = .pending, attempts: Int = 0, createdAt: Date,
        nextAttemptAt: Date? = nil, lastError: String? = nil, finishedAt: Date? = nil, group: GroupKey? = nil,
        account: String = CCEAccount.defaultName
    ) {
        self.id = id
        self.receiver = receiver
        self.rule = rule
        self.jobID = jobID
        self.uid = uid
        self.transition = transition
        self.request = request
        self.state = state
        self.attempts = attempts
        self.createdAt = createdAt
        self.nextAttemptAt = nextAttemptAt ?? createdAt
        self.lastError = lastError
        self.finishedAt = finishedAt
        self.group = group
        self.account = account
    }
}
