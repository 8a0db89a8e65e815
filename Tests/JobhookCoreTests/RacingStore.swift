import Foundation
import JobhookCore
import Synchronization
import Testing

/// A store that lets something happen (`race`) right after the first read of the open groups, as if
/// the dispatcher took a group between the pipeline's planning and its record.
final class RacingStore: DeliveryStore {
    let base: any DeliveryStore
    let race: @Sendable () async throws -> Void
    private let reads = Mutex(0)

    init(_ base: any DeliveryStore, race: @escaping @Sendable () async throws -> Void) {
        self.base = base
        self.race = race
    }

    var openGroupReads: Int { reads.withLock { $0 } }

    func openGroups(jobID: String, now: Date) async throws(StoreError) -> [GroupKey: String] {
        let groups = try await base.openGroups(jobID: jobID, now: now)
        let first = reads.withLock { $0 += 1; return $0 == 1 }
        if first {
            do { try await race() } catch { Issue.record(error) }
        }
        return groups
    }

    func addWatch(_ jobID: String, source: String, account: String, at: Date) async throws(StoreError) -> Bool {
        try await base.addWatch(jobID, source: source, account: account, at: at)
    }
    func removeWatch(_ jobID: String, at: Date) async throws(StoreError) -> Bool { try await base.removeWatch(jobID, at: at) }
    func watches() async throws(StoreError) -> [Watch] { try await base.watches() }
    func watch(_ jobID: String) async throws(StoreError) -> Watch? { try await base.watch(jobID) }
    func knownPhases() async throws(StoreError) -> [String: String] { try await base.knownPhases() }
    func record(_ poll: PollRecord) async throws(StoreError) { try await base.record(poll) }
    func setWatchState(_ jobID: String, _ state: Watch.State, at: Date) async throws(StoreError) { try await base.setWatchState(jobID, state, at: at) }
    func dueDeliveries(now: Date, limit: Int, excluding: Set<String>, excludingReceivers: Set<String>) async throws(StoreError) -> [Delivery] {
        try await base.dueDeliveries(now: now, limit: limit, excluding: excluding, excludingReceivers: excludingReceivers)
    }
    func addSilence(_ silence: Silence) async throws(StoreError) { try await base.addSilence(silence) }
    func silences(now: Date, includingEnded: Bool) async throws(StoreError) -> [Silence] { try await base.silences(now: now, includingEnded: includingEnded) }
    func intakeMessageSeen(_ id: String) async throws(StoreError) -> Bool { try await base.intakeMessageSeen(id) }
    func recordIntakeMessage(_ id: String, at: Date) async throws(StoreError) { try await base.recordIntakeMessage(id, at: at) }
    func pruneIntakeMessages(before: Date) async throws(StoreError) -> Int { try await base.pruneIntakeMessages(before: before) }
    func expireSilence(_ id: String, now: Date) async throws(StoreError) -> Bool { try await base.expireSilence(id, now: now) }
    func oldestPending(receiver: String, now: Date) async throws(StoreError) -> Delivery? { try await base.oldestPending(receiver: receiver, now: now) }
    func requeueInCreationOrder(receiver: String) async throws(StoreError) -> Int { try await base.requeueInCreationOrder(receiver: receiver) }
    func nextAttemptDate() async throws(StoreError) -> Date? { try await base.nextAttemptDate() }
    func update(_ delivery: Delivery) async throws(StoreError) { try await base.update(delivery) }
    func deliveries(state: Delivery.State?, limit: Int) async throws(StoreError) -> [Delivery] { try await base.deliveries(state: state, limit: limit) }
    func delivery(_ id: String) async throws(StoreError) -> Delivery? { try await base.delivery(id) }
    func retry(_ id: String, force: Bool, now: Date) async throws(StoreError) -> RetryOutcome { try await base.retry(id, force: force, now: now) }
    func drop(_ id: String) async throws(StoreError) -> Bool { try await base.drop(id) }
    func prune(finishedBefore before: Date) async throws(StoreError) -> Int { try await base.prune(finishedBefore: before) }
    func pendingCount() async throws(StoreError) -> Int { try await base.pendingCount() }
    func knownJobIDs() async throws(StoreError) -> Set<String> { try await base.knownJobIDs() }
    func discoveryBaseline(account: String) async throws(StoreError) -> Date? { try await base.discoveryBaseline(account: account) }
    func recordBaseline(account: String, silent: [String: [String: String]], at: Date) async throws(StoreError) {
        try await base.recordBaseline(account: account, silent: silent, at: at)
    }
}
