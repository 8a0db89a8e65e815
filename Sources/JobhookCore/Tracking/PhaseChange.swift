public import CCE
public import Foundation

/// One observed phase transition of a job or of one of its nested sub-jobs: the value every later
/// stage (routing, rendering, delivery) works from.
public struct PhaseChange: Sendable, Hashable {
    public enum Level: String, Sendable, Hashable, Codable {
        case job
        case subjob
    }

    /// The watched (top-level) job's ID.
    public var rootID: String
    /// `metadata.uid` of the job or sub-job whose phase changed.
    public var uid: String
    public var level: Level
    /// The last phase recorded for `uid`; `""` the first time it is seen.
    public var from: String
    public var to: String
    /// The changed node as polled (with its own sub-jobs).
    public var job: Job
    /// The direct parent of a sub-job; nil for the top-level job.
    public var parent: Job?
    /// The whole tree as polled.
    public var root: Job
    public var detectedAt: Date
    /// The CCE account the job belongs to (its poller's).
    public var account: String

    public init(
        rootID: String, uid: String, level: Level, from: String, to: String,
        job: Job, parent: Job?, root: Job, detectedAt: Date, account: String = CCEAccount.defaultName
    ) {
        self.rootID = rootID
        self.uid = uid
        self.level = level
        self.from = from
        self.to = to
        self.job = job
        self.parent = parent
        self.root = root
        self.detectedAt = detectedAt
        self.account = account
    }

    /// Identifies the transition itself, independent of when it was detected: two detections of the
    /// same transition (for instance before and after a crash) share it.
    public var key: String { "\(uid)|\(from)|\(to)" }
}
