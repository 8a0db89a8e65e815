public import CCE
public import Foundation

/// A watched job as the store keeps it.
public struct Watch: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Hashable, Codable {
        /// Still being polled.
        case watching
        /// The job and all its sub-jobs are terminal.
        case finished
        /// CCE answered 404 for a job seen before: it aged out of CCE's short job history.
        case expired
        /// `poll.job_timeout` passed before it finished.
        case timedOut = "timed_out"
        /// Stopped by the user (DELETE /v1/watches/{id}); kept so its phases are not repeated.
        case removed
    }

    public var jobID: String
    /// Where the watch came from: `config`, `api`, `cli`, `discovery`.
    public var source: String
    /// The CCE account the job belongs to.
    public var account: String
    public var addedAt: Date
    public var state: State
    /// The last job tree polled, for `GET /v1/watches/{id}`.
    public var tree: Job?
    public var updatedAt: Date?

    public init(jobID: String, source: String, addedAt: Date, state: State = .watching, tree: Job? = nil, updatedAt: Date? = nil,
                account: String = CCEAccount.defaultName) {
        self.jobID = jobID
        self.source = source
        self.account = account
        self.addedAt = addedAt
        self.state = state
        self.tree = tree
        self.updatedAt = updatedAt
    }
}

/// What one poll of one job leaves behind, recorded atomically: the phases now known for every uid
/// in the tree and the deliveries its changes caused. Either all of it is stored or none, so a crash
/// between detecting a change and queueing its notification cannot happen.
public struct PollRecord: Sendable, Hashable {
    public var jobID: String
    public var tree: Job
    /// Phase by uid for the whole tree (`PhaseTracker.phases(of:)`).
    public var phases: [String: String]
    public var deliveries: [Delivery]
    /// Set when this poll ended the watch (finished, expired, timed out).
    public var watchState: Watch.State?
    /// The open groups the deliveries were planned against (`DeliveryStore.openGroups`): the record
    /// is refused with `StoreError.Kind.staleGroups` when one of them closed, or another opened, since.
    public var openGroups: [GroupKey: String]

    public init(jobID: String, tree: Job, phases: [String: String], deliveries: [Delivery], watchState: Watch.State? = nil,
                openGroups: [GroupKey: String] = [:]) {
        self.jobID = jobID
        self.tree = tree
        self.phases = phases
        self.deliveries = deliveries
        self.watchState = watchState
        self.openGroups = openGroups
    }
}

/// The durable state behind the daemon: watches, last phases and the delivery queue. SQLite in
/// production (`SQLiteStore`); the protocol is the seam the dispatcher, the pipeline, the HTTP API and
/// `jobhook deliveries` share.
public protocol DeliveryStore: Sendable {
    // Watches and phases
    /// Adds a watch of `account`'s job; returns false when the job was already known (watching or
    /// finished): re-adding a finished job must not repeat its events.
    func addWatch(_ jobID: String, source: String, account: String, at: Date) async throws(StoreError) -> Bool
    /// Marks a watch removed (polling stops; its phases stay known). Returns false when unknown.
    func removeWatch(_ jobID: String, at: Date) async throws(StoreError) -> Bool
    func watches() async throws(StoreError) -> [Watch]
    /// The watches still `watching`, without their trees: what `WatchList.sync` reads every second
    /// on a shared store.
    func watchingJobs() async throws(StoreError) -> [Watch]
    func watch(_ jobID: String) async throws(StoreError) -> Watch?
    /// Last recorded phase for every job and sub-job uid: seeds the poller after a restart.
    func knownPhases() async throws(StoreError) -> [String: String]
    /// Records a poll atomically. A grouped delivery joins its open group or opens one; throws
    /// `staleGroups` (recording nothing) when the open groups differ from those it was planned against.
    func record(_ poll: PollRecord) async throws(StoreError)
    func setWatchState(_ jobID: String, _ state: Watch.State, at: Date) async throws(StoreError)

    // Discovery
    /// Every job ID the store knows: watched in any state (removed included) or recorded silently by
    /// a baseline. Discovery reports only jobs outside this set.
    func knownJobIDs() async throws(StoreError) -> Set<String>
    /// When the account's baseline listing was recorded; nil before its first listing.
    func discoveryBaseline(account: String) async throws(StoreError) -> Date?
    /// Records the account's baseline atomically: the silent jobs' phases (phase by uid, by job ID)
    /// and the time, so the baseline happens once even across a crash.
    func recordBaseline(account: String, silent: [String: [String: String]], at: Date) async throws(StoreError)

    // Delivery queue
    /// The job's `group_wait` groups still open at `now` (waiting for their window, never attempted),
    /// by key: the groups new changes of the job join.
    func openGroups(jobID: String, now: Date) async throws(StoreError) -> [GroupKey: String]
    /// Pending deliveries whose next attempt is due, oldest first, leaving out the given ids (in flight)
    /// and receivers (down: they send one probe at a time, `oldestPending`).
    func dueDeliveries(now: Date, limit: Int, excluding: Set<String>, excludingReceivers: Set<String>) async throws(StoreError) -> [Delivery]
    /// The receiver's oldest pending delivery by creation — its probe while it is down — whatever its
    /// own backoff says; nil when it has none (a `group_wait` window still open does not count).
    func oldestPending(receiver: String, now: Date) async throws(StoreError) -> Delivery?
    /// A receiver is back: its retried deliveries become due at their creation time, so everything
    /// it missed goes out in the order it happened. Returns how many were moved.
    func requeueInCreationOrder(receiver: String) async throws(StoreError) -> Int
    /// The earliest `nextAttemptAt` among pending deliveries.
    func nextAttemptDate() async throws(StoreError) -> Date?
    /// Stores the outcome of an attempt (attempts, state, next attempt, last error, finished time).
    func update(_ delivery: Delivery) async throws(StoreError)
    func deliveries(state: Delivery.State?, limit: Int) async throws(StoreError) -> [Delivery]
    func delivery(_ id: String) async throws(StoreError) -> Delivery?
    /// Puts a dead (or pending) delivery back to pending, due now, keeping its id. A delivered one
    /// only with `force`: re-driving it sends the receiver the same notification again.
    func retry(_ id: String, force: Bool, now: Date) async throws(StoreError) -> RetryOutcome
    /// Deletes a delivery. False when unknown.
    func drop(_ id: String) async throws(StoreError) -> Bool
    /// Forgets delivered and dead entries finished before `before` (bounded history).
    func prune(finishedBefore before: Date) async throws(StoreError) -> Int
    func pendingCount() async throws(StoreError) -> Int

    // Push intake
    /// True when an SMN message with this ID was acted on already.
    func intakeMessageSeen(_ messageID: String) async throws(StoreError) -> Bool
    /// Records that the message was acted on (after the fact: a failure before leaves it unrecorded,
    /// so SMN's next attempt acts on it). Recording an ID twice is harmless.
    func recordIntakeMessage(_ messageID: String, at: Date) async throws(StoreError)
    /// Forgets message IDs received before `before`: older messages are refused by `max_age` anyway.
    func pruneIntakeMessages(before: Date) async throws(StoreError) -> Int

    // Silences
    func addSilence(_ silence: Silence) async throws(StoreError)
    /// Active and future ones (ending after `now`), soonest end first; with `includingEnded`, also
    /// those that ended (most recent first after the others).
    func silences(now: Date, includingEnded: Bool) async throws(StoreError) -> [Silence]
    /// Ends a silence at `now` (it stays listed as ended). False when unknown or already ended.
    func expireSilence(_ id: String, now: Date) async throws(StoreError) -> Bool
}

extension DeliveryStore {
    public func watchingJobs() async throws(StoreError) -> [Watch] {
        try await watches().filter { $0.state == .watching }.map { watch in
            var light = watch
            light.tree = nil
            return light
        }
    }

    /// Due deliveries of every receiver.
    public func dueDeliveries(now: Date, limit: Int, excluding: Set<String>) async throws(StoreError) -> [Delivery] {
        try await dueDeliveries(now: now, limit: limit, excluding: excluding, excludingReceivers: [])
    }

    /// A watch of the `default` account (the single-account form).
    public func addWatch(_ jobID: String, source: String, at: Date) async throws(StoreError) -> Bool {
        try await addWatch(jobID, source: source, account: CCEAccount.defaultName, at: at)
    }
}
