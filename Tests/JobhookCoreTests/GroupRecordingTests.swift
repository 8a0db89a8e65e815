import CCE
import Foundation
import GRDB
@testable import JobhookCore
import Testing

/// How the store keeps `group_wait` groups: recorded only while still open, never twice, and
/// re-planned when one closed between planning and recording.
@Suite struct GroupRecordingTests {
    typealias G = GroupingTests
    static let key = GroupKey(jobID: "root-1", rule: "failures", receiver: "hook")

    @Test(arguments: StoreBackend.allCases)
    func recordingTheSameChangeAgainAfterACrashOpensNoSecondGroup(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            let config = try ConfigFixtures.load(G.genericYAML)
            let tree = G.tree(failed: 1, rootPhase: "Running")
            let detected = Date()
            let store = fixture.store
            let first = try await G.poll(store, tree, ["sub-1"], at: detected, config: config)
            // The same change detected again while its group waits (the poller forgot it) ...
            let again = try await G.poll(store, tree, ["sub-1"], at: detected, config: config)
            #expect(again.map(\.id) == first.map(\.id))
            #expect(try await store.deliveries(state: nil, limit: 10).count == 1)
            // ... and after a restart once its group went out.
            let restarted = try await fixture.reopen(now: { detected.addingTimeInterval(7200) })
            try await Pipeline.record(G.changes(in: tree, uids: ["sub-1"], at: detected), of: "root-1", tree: tree, ending: nil,
                                      config: config, store: restarted, now: { detected.addingTimeInterval(7200) })
            let all = try await restarted.deliveries(state: nil, limit: 10)
            #expect(all.map(\.id) == first.map(\.id))
            #expect(all.first?.group == Self.key)
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func recordRefusesAPlanWhoseGroupClosedMeanwhile(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            let config = try ConfigFixtures.load(G.genericYAML)
            let store = fixture.store
            let now = Date()
            let opened = try #require(try await G.poll(store, G.tree(failed: 1, rootPhase: "Running"), ["sub-1"], at: now, config: config).first)
            let open = try await store.openGroups(jobID: "root-1", now: Date())
            #expect(open == [Self.key: opened.id])
            let tree = G.tree(failed: 2, rootPhase: "Running")
            let joining = DeliveryPlanner.deliveries(for: G.changes(in: tree, uids: ["sub-2"], at: now), config: config, openGroups: open)
            #expect(joining.map(\.id) == [opened.id])
            try await Self.takeForSending(opened, store)

            let error = await #expect(throws: StoreError.self) {
                try await store.record(PollRecord(jobID: "root-1", tree: tree, phases: PhaseTracker.phases(of: tree),
                                                  deliveries: joining, openGroups: open))
            }
            #expect(error?.kind == .staleGroups)
            // Nothing of that poll was kept: the phases are still those of the first poll.
            #expect(try await store.knownPhases()["sub-2"] == "Running")
            #expect(try await store.openGroups(jobID: "root-1", now: Date()).isEmpty)
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func aChangeWhoseGroupClosedWhileItWasPlannedIsReplannedIntoANewGroup(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            let config = try ConfigFixtures.load(G.genericYAML)
            let base = fixture.store
            let now = Date()
            let opened = try #require(try await G.poll(base, G.tree(failed: 1, rootPhase: "Running"), ["sub-1"], at: now, config: config).first)
            // The dispatcher takes the group just after the pipeline read the open groups.
            let store = RacingStore(base) { try await Self.takeForSending(opened, base) }

            let recorded = try await G.poll(store, G.tree(failed: 2, rootPhase: "Running"), ["sub-2"], at: now.addingTimeInterval(0.05), config: config)
            #expect(store.openGroupReads == 2)
            let reopened = try #require(recorded.first)
            #expect(reopened.id != opened.id)
            #expect(reopened.group == Self.key)
            #expect((try G.document(reopened)["event"] as? [String: Any])?["id"] as? String == reopened.id)
            let stored = try await base.deliveries(state: .pending, limit: 10)
            #expect(Set(stored.map(\.id)) == [opened.id, reopened.id])
            #expect(try await base.delivery(reopened.id)?.request == reopened.request)
            #expect(try await base.knownPhases()["sub-2"] == "Failed")
        }
    }

    /// Two records of the same job racing to open the same group (two pollers, or a poll and its
    /// retry): exactly one opens it, the other is refused and re-plans. Never two open groups.
    @Test(arguments: StoreBackend.allCases)
    func twoRecordsRacingToOpenTheSameGroupOpenOne(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture async throws in
            let store = fixture.store
            let now = Date()
            // Warm connections first (PostgreSQL's pool opens them on demand), so the racers overlap.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 { group.addTask { _ = try await store.pendingCount() } }
                try await group.waitForAll()
            }
            for round in 0..<10 {
                let job = "root-\(round)"
                let key = GroupKey(jobID: job, rule: "failures", receiver: "hook")
                let outcomes = await withTaskGroup(of: StoreError.Kind?.self) { group in
                    for racer in 0..<6 {
                        group.addTask {
                            let delivery = Delivery(
                                id: "grp_\(round)_\(racer)", receiver: "hook", rule: "failures", jobID: job, uid: "sub-\(racer)",
                                transition: "Running → Failed", request: StoreSamples.delivery("x").request, createdAt: now,
                                nextAttemptAt: now.addingTimeInterval(600), group: key)
                            return await Self.refusal(of: PollRecord(jobID: job, tree: StoreSamples.tree(job), phases: [:],
                                                                     deliveries: [delivery]), by: store)
                        }
                    }
                    return await group.reduce(into: []) { $0.append($1) }
                }
                #expect(outcomes.filter { $0 == nil }.count == 1, "\(outcomes)")
                #expect(outcomes.compactMap { $0 }.allSatisfy { $0 == .staleGroups }, "\(outcomes)")
                #expect(try await store.openGroups(jobID: job, now: now).count == 1)
                #expect(try await store.deliveries(state: .pending, limit: 100).filter { $0.jobID == job }.count == 1)
            }
        }
    }

    /// nil when `store` recorded `poll`, else the kind of its refusal.
    static func refusal(of poll: PollRecord, by store: any DeliveryStore) async -> StoreError.Kind? {
        do {
            try await store.record(poll)
            return nil
        } catch {
            return error.kind
        }
    }

    /// What the dispatcher does to a due group: one attempt made, so it is no longer open.
    static func takeForSending(_ delivery: Delivery, _ store: any DeliveryStore) async throws {
        var taken = delivery
        taken.attempts = 1
        taken.nextAttemptAt = Date().addingTimeInterval(30)
        taken.lastError = "HTTP 503"
        try await store.update(taken)
    }
}
