import CCE
import Foundation
import JobhookCore
import Testing

/// What every `DeliveryStore` promises, on each backend.
@Suite("State store")
struct StoreTests {
    typealias S = StoreSamples

    @Test(arguments: StoreBackend.allCases)
    func recordedStateSurvivesCloseAndReopen(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend, now: { S.t0 }) { fixture in
            do {
                let store = fixture.store
                #expect(try await store.addWatch("job-1", source: "config", at: S.t0))
                try await store.record(S.poll(deliveries: [S.delivery("e1"), S.delivery("e2")]))
                var retried = try #require(try await store.delivery("e2"))
                retried.attempts = 3
                retried.lastError = "HTTP 503"
                retried.nextAttemptAt = S.t0.addingTimeInterval(42.5)
                try await store.update(retried)
            }
            let store = try await fixture.reopen()
            #expect(try await store.knownPhases() == ["job-1": "Running", "job-1-sub": "Failed"])
            let watch = try #require(try await store.watch("job-1"))
            #expect(watch.state == .watching)
            #expect(watch.source == "config")
            #expect(watch.addedAt == S.t0)
            #expect(watch.updatedAt == S.t0)
            #expect(watch.tree == S.tree())
            #expect(try await store.pendingCount() == 2)
            let e2 = try #require(try await store.delivery("e2"))
            #expect(e2.attempts == 3)
            #expect(e2.lastError == "HTTP 503")
            #expect(e2.nextAttemptAt == S.t0.addingTimeInterval(42.5))
            #expect(e2.createdAt == S.t0)
            #expect(e2.request == S.delivery("e2").request)
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func recordingTheSameChangeTwiceQueuesItOnce(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            let store = fixture.store
            try await store.record(S.poll(deliveries: [S.delivery("e1")]))
            var sent = try #require(try await store.delivery("e1"))
            sent.state = .delivered
            sent.attempts = 1
            sent.finishedAt = S.t0
            try await store.update(sent)
            // A crash before the poller's seed was updated re-detects the change: same event id.
            try await store.record(S.poll(deliveries: [S.delivery("e1"), S.delivery("e3")]))
            #expect(try await store.delivery("e1")?.state == .delivered)
            #expect(try await store.pendingCount() == 1)
            #expect(try await store.deliveries(state: nil, limit: 10).count == 2)
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func dueDeliveriesAreOldestFirstAndSkipInFlight(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            let store = fixture.store
            try await store.record(S.poll(deliveries: [
                S.delivery("late", next: S.t0.addingTimeInterval(30)),
                S.delivery("first", next: S.t0.addingTimeInterval(1)),
                S.delivery("second", next: S.t0.addingTimeInterval(2)),
                S.delivery("future", next: S.t0.addingTimeInterval(3600)),
            ]))
            let now = S.t0.addingTimeInterval(60)
            #expect(try await store.dueDeliveries(now: now, limit: 10, excluding: []).map(\.id) == ["first", "second", "late"])
            #expect(try await store.dueDeliveries(now: now, limit: 2, excluding: ["first"]).map(\.id) == ["second", "late"])
            #expect(try await store.nextAttemptDate() == S.t0.addingTimeInterval(1))
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func deadDeliveryCanBeRetriedOrDropped(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            let store = fixture.store
            try await store.record(S.poll(deliveries: [S.delivery("dead"), S.delivery("other")]))
            var dead = try #require(try await store.delivery("dead"))
            dead.state = .dead
            dead.attempts = 12
            dead.lastError = "HTTP 404"
            dead.finishedAt = S.t0
            try await store.update(dead)
            #expect(try await store.deliveries(state: .dead, limit: 10).map(\.id) == ["dead"])

            let later = S.t0.addingTimeInterval(500)
            #expect(try await store.retry("dead", force: false, now: later) == .requeued)
            let retried = try #require(try await store.delivery("dead"))
            #expect(retried.state == .pending)
            #expect(retried.attempts == 0)
            #expect(retried.nextAttemptAt == later)
            #expect(retried.finishedAt == nil)
            #expect(try await store.retry("nope", force: false, now: later) == .unknown)

            // A delivered one is sent again only when forced: the receiver would get it twice.
            var delivered = retried
            delivered.state = .delivered
            delivered.finishedAt = later
            try await store.update(delivered)
            #expect(try await store.retry("dead", force: false, now: later) == .alreadyDelivered)
            #expect(try await store.delivery("dead")?.state == .delivered)
            #expect(try await store.retry("dead", force: true, now: later) == .requeued)
            #expect(try await store.delivery("dead")?.state == .pending)

            #expect(try await store.drop("other"))
            #expect(try await store.drop("other") == false)
            #expect(try await store.delivery("other") == nil)
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func pruneForgetsOnlyFinishedDeliveriesOlderThanTheCutoff(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            let store = fixture.store
            try await store.record(S.poll(deliveries: ["old-ok", "old-dead", "new-ok", "pending"].map { S.delivery($0) }))
            for (id, state, finished) in [("old-ok", Delivery.State.delivered, 10.0), ("old-dead", .dead, 20), ("new-ok", .delivered, 1000)] {
                var d = try #require(try await store.delivery(id))
                d.state = state
                d.finishedAt = S.t0.addingTimeInterval(finished)
                try await store.update(d)
            }
            #expect(try await store.prune(finishedBefore: S.t0.addingTimeInterval(100)) == 2)
            #expect(Set(try await store.deliveries(state: nil, limit: 10).map(\.id)) == ["new-ok", "pending"])
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func knownJobIsNotAddedAgainButARemovedOneIs(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            let store = fixture.store
            #expect(try await store.addWatch("job-1", source: "api", at: S.t0))
            #expect(try await store.addWatch("job-1", source: "api", at: S.t0) == false)
            try await store.record(S.poll(deliveries: [], state: .finished))
            #expect(try await store.addWatch("job-1", source: "api", at: S.t0) == false)
            #expect(try await store.watch("job-1")?.state == .finished)

            #expect(try await store.addWatch("job-2", source: "api", at: S.t0))
            #expect(try await store.removeWatch("job-2", at: S.t0))
            #expect(try await store.watch("job-2")?.state == .removed)
            #expect(try await store.addWatch("job-2", source: "api", at: S.t0))
            #expect(try await store.watch("job-2")?.state == .watching)
            #expect(try await store.removeWatch("unknown", at: S.t0) == false)
            #expect(try await store.watches().map(\.jobID) == ["job-1", "job-2"])
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func pollOfARemovedWatchLeavesItRemoved(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            let store = fixture.store
            _ = try await store.addWatch("job-1", source: "api", at: S.t0)
            _ = try await store.removeWatch("job-1", at: S.t0)
            try await store.record(S.poll(deliveries: [], state: .finished))
            #expect(try await store.watch("job-1")?.state == .removed)
            try await store.setWatchState("job-1", .expired, at: S.t0)
            #expect(try await store.watch("job-1")?.state == .expired)
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func intakeMessagesAreRecordedOnceAndPrunedByAge(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            let store = fixture.store
            #expect(try await store.intakeMessageSeen("m-1") == false)
            try await store.recordIntakeMessage("m-1", at: S.t0)
            try await store.recordIntakeMessage("m-1", at: S.t0 + 50)  // SMN sent it again: harmless
            try await store.recordIntakeMessage("m-2", at: S.t0 + 100)
            #expect(try await store.intakeMessageSeen("m-1"))
            #expect(try await store.pruneIntakeMessages(before: S.t0 + 60) == 1, "m-1 keeps its first time")
            #expect(try await store.intakeMessageSeen("m-1") == false)
            #expect(try await store.intakeMessageSeen("m-2"))
        }
    }
}
