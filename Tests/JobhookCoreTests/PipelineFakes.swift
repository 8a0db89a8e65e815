import CCE
import Foundation
import JobhookCore
import Synchronization

/// A real SQLite store that can be told to fail, as a full disk or a lost database would make it:
/// while `failing`, every write and every read of watches and phases throws.
final class FailingStore: DeliveryStore {
    let store: SQLiteStore
    private let failing = Mutex(false)
    private let failures = Mutex(0)

    init(_ store: SQLiteStore) { self.store = store }

    func fail(_ on: Bool) { failing.withLock { $0 = on } }

    private let recordsBeforeRefusal = Mutex<Int?>(nil)
    /// Lets `count` more records through, then fails like `fail(true)` until `fail(false)`: a later
    /// slice of a big tree refused after the first ones were recorded.
    func failRecords(after count: Int) { recordsBeforeRefusal.withLock { $0 = count } }
    /// Operations refused so far.
    var refused: Int { failures.withLock { $0 } }

    private func check() throws(StoreError) {
        if failing.withLock({ $0 }) {
            failures.withLock { $0 += 1 }
            throw StoreError(.diskFull, path: store.path, message: "the disk is full (test)")
        }
    }

    func addWatch(_ jobID: String, source: String, account: String, at: Date) async throws(StoreError) -> Bool {
        try check(); return try await store.addWatch(jobID, source: source, account: account, at: at)
    }
    func removeWatch(_ jobID: String, at: Date) async throws(StoreError) -> Bool {
        try check(); return try await store.removeWatch(jobID, at: at)
    }
    func watches() async throws(StoreError) -> [Watch] { try check(); return try await store.watches() }
    func watch(_ jobID: String) async throws(StoreError) -> Watch? { try check(); return try await store.watch(jobID) }
    func knownPhases() async throws(StoreError) -> [String: String] { try check(); return try await store.knownPhases() }
    func record(_ poll: PollRecord) async throws(StoreError) {
        let startFailing = recordsBeforeRefusal.withLock { left -> Bool in
            guard let remaining = left else { return false }
            left = remaining == 0 ? nil : remaining - 1
            return remaining == 0
        }
        if startFailing { fail(true) }
        try check()
        try await store.record(poll)
    }
    func openGroups(jobID: String, now: Date) async throws(StoreError) -> [GroupKey: String] {
        try check(); return try await store.openGroups(jobID: jobID, now: now)
    }
    func setWatchState(_ jobID: String, _ state: Watch.State, at: Date) async throws(StoreError) {
        try check(); try await store.setWatchState(jobID, state, at: at)
    }
    func dueDeliveries(now: Date, limit: Int, excluding: Set<String>, excludingReceivers: Set<String>) async throws(StoreError) -> [Delivery] {
        try await store.dueDeliveries(now: now, limit: limit, excluding: excluding, excludingReceivers: excludingReceivers)
    }
    func addSilence(_ silence: Silence) async throws(StoreError) { try check(); try await store.addSilence(silence) }
    func silences(now: Date, includingEnded: Bool) async throws(StoreError) -> [Silence] {
        try await store.silences(now: now, includingEnded: includingEnded)
    }
    func intakeMessageSeen(_ id: String) async throws(StoreError) -> Bool { try await store.intakeMessageSeen(id) }
    func recordIntakeMessage(_ id: String, at: Date) async throws(StoreError) { try await store.recordIntakeMessage(id, at: at) }
    func pruneIntakeMessages(before: Date) async throws(StoreError) -> Int { try await store.pruneIntakeMessages(before: before) }
    func expireSilence(_ id: String, now: Date) async throws(StoreError) -> Bool { try check(); return try await store.expireSilence(id, now: now) }
    func oldestPending(receiver: String, now: Date) async throws(StoreError) -> Delivery? { try await store.oldestPending(receiver: receiver, now: now) }
    func requeueInCreationOrder(receiver: String) async throws(StoreError) -> Int { try check(); return try await store.requeueInCreationOrder(receiver: receiver) }
    func nextAttemptDate() async throws(StoreError) -> Date? { try await store.nextAttemptDate() }
    func update(_ delivery: Delivery) async throws(StoreError) { try check(); try await store.update(delivery) }
    func deliveries(state: Delivery.State?, limit: Int) async throws(StoreError) -> [Delivery] {
        try await store.deliveries(state: state, limit: limit)
    }
    func delivery(_ id: String) async throws(StoreError) -> Delivery? { try await store.delivery(id) }
    func retry(_ id: String, force: Bool, now: Date) async throws(StoreError) -> RetryOutcome { try check(); return try await store.retry(id, force: force, now: now) }
    func drop(_ id: String) async throws(StoreError) -> Bool { try check(); return try await store.drop(id) }
    func prune(finishedBefore before: Date) async throws(StoreError) -> Int { try check(); return try await store.prune(finishedBefore: before) }
    func pendingCount() async throws(StoreError) -> Int { try await store.pendingCount() }
    func knownJobIDs() async throws(StoreError) -> Set<String> { try check(); return try await store.knownJobIDs() }
    func discoveryBaseline(account: String) async throws(StoreError) -> Date? {
        try check(); return try await store.discoveryBaseline(account: account)
    }
    func recordBaseline(account: String, silent: [String: [String: String]], at: Date) async throws(StoreError) {
        try check(); try await store.recordBaseline(account: account, silent: silent, at: at)
    }
}

/// CCE as a dictionary of job trees that a test changes as it goes; unknown jobs answer 404.
final class LiveJobs: JobFetching {
    private let trees = Mutex<[String: Job]>([:])
    private let polls = Mutex<[String: Int]>([:])

    func set(_ job: Job) { trees.withLock { $0[job.uid ?? ""] = job } }
    func count(_ id: String) -> Int { polls.withLock { $0[id] ?? 0 } }

    func showJob(_ id: String) async throws(CCEError) -> Job {
        polls.withLock { $0[id, default: 0] += 1 }
        guard let job = trees.withLock({ $0[id] }) else {
            throw CCEError(.api(status: 404), jobID: id, code: "CCE.01404001", message: "not found")
        }
        return job
    }
}

/// A config with one rule that alerts a (never-called) receiver on every Failed job or sub-job.
enum PipelineFixtures {
    static let yaml = """
        cce: {region: cn-north-4, project_id: p1, auth: {token: t}}
        poll: {interval: 1s}
        receivers:
          - name: ops
            url: http://127.0.0.1:9/hook
        rules:
          - name: failed
            match: {phase: Failed}
            notify: [ops]
        """

    static func config() throws -> Config {
        var config = try ConfigLoader.parse(yaml: yaml, file: "rules.yaml", environment: [:])
        config.poll.interval = .milliseconds(20)
        return config
    }
}
