import Foundation
import JobhookCore
import JobhookPostgres
import Logging
import ServiceLifecycle
import Synchronization
import TestSupport
import Testing

/// The replicas' lease on a real PostgreSQL server: who gets it, when it moves, and the fence it
/// puts on the work's writes. Two `PostgresStore`s on one database stand for two replicas.
@Suite struct PostgresLeaseTests {
    typealias S = StoreSamples

    /// Two replicas' stores on one fresh database.
    func withTwo(_ body: (PostgresStore, PostgresStore) async throws -> Void) async throws {
        try await StoreFixture.with(.postgres) { fixture in
            let url = try #require(fixture.database?.url)
            let a = try await PostgresStore.open(url)
            let b = try await PostgresStore.open(url)
            do {
                try await body(a, b)
            } catch {
                await a.close(); await b.close()
                throw error
            }
            await a.close(); await b.close()
        }
    }

    @Test func theLeaseIsOneReplicasAndMovesOnlyOnceItRunsOut() async throws {
        try await withTwo { a, b in
            let first = try #require(try await a.acquireLease(holder: "a", for: .seconds(1)))
            #expect(first.epoch == 1)
            #expect(try await b.acquireLease(holder: "b", for: .seconds(1)) == nil, "a holds it")
            #expect(try await a.acquireLease(holder: "a", for: .seconds(1))?.epoch == 1, "a renewal keeps the epoch")
            try await Task.sleep(for: .milliseconds(1_200))
            let taken = try #require(try await b.acquireLease(holder: "b", for: .seconds(30)))
            #expect(taken.epoch == 2, "a new holder, a new epoch")
            #expect(try await a.acquireLease(holder: "a", for: .seconds(1)) == nil, "a's lease is over")
        }
    }

    @Test func aReleasedLeaseIsTakenAtOnce() async throws {
        try await withTwo { a, b in
            #expect(try await a.acquireLease(holder: "a", for: .seconds(60)) != nil)
            #expect(try await b.acquireLease(holder: "b", for: .seconds(60)) == nil)
            try await a.releaseLease(holder: "a")
            #expect(try await b.acquireLease(holder: "b", for: .seconds(60))?.epoch == 2)
            try await a.releaseLease(holder: "a")  // not a's any more: changes nothing
            #expect(try await a.acquireLease(holder: "a", for: .seconds(60)) == nil)
        }
    }

    /// A replica paused past its lease wakes up and writes what it polled and sent before the pause:
    /// the new holder's state wins, nothing of the old one's lands.
    @Test func theWorkOfAReplicaWhoseLeaseMovedIsFenced() async throws {
        try await withTwo { a, b in
            #expect(try await a.addWatch("job-1", source: "api", at: S.t0))
            #expect(try await a.acquireLease(holder: "a", for: .seconds(1)) != nil)
            try await a.record(S.poll(deliveries: [S.delivery("d1")]))
            try await Task.sleep(for: .milliseconds(1_200))
            #expect(try await b.acquireLease(holder: "b", for: .seconds(30)) != nil)

            var late = try #require(try await a.delivery("d1"))
            late.state = .delivered
            late.attempts = 1
            let update = try await #require(throws: StoreError.self) { try await a.update(late) }
            #expect(update.kind == .fenced)
            let record = try await #require(throws: StoreError.self) { try await a.record(S.poll(deliveries: [S.delivery("d2")])) }
            #expect(record.kind == .fenced)
            let baseline = try await #require(throws: StoreError.self) {
                try await a.recordBaseline(account: "default", silent: ["job-9": ["job-9": "Success"]], at: S.t0)
            }
            #expect(baseline.kind == .fenced)
            #expect(try await b.delivery("d1")?.state == .pending, "the late outcome did not land")
            #expect(try await b.delivery("d2") == nil, "nor the late record")
            #expect(try await b.discoveryBaseline(account: "default") == nil)

            // The holder's own writes go through, and the API's writes on any replica are not fenced.
            try await b.update(late)
            #expect(try await b.delivery("d1")?.state == .delivered)
            #expect(try await a.addWatch("job-2", source: "api", at: S.t0))
            #expect(try await b.watchingJobs().map(\.jobID) == ["job-1", "job-2"])
            #expect(try await b.watchingJobs().allSatisfy { $0.tree == nil })
        }
    }

    /// Two keepers on one database: one works, the other stands by and takes over within
    /// 2 × lease once the first stops renewing; the takeover reloads the state first.
    @Test func oneKeeperWorksAndTheOtherTakesOverWhenItStops() async throws {
        try await withTwo { a, b in
            let term = ReplicaLease.Term(duration: .seconds(1))
            let logger = Logger(label: "lease", factory: { _ in SwiftLogNoOpLogHandler() })
            let tookOver = TookOver()
            func keeper(_ store: PostgresStore, _ name: String, _ gate: ReplicaGate) -> LeaseKeeper {
                LeaseKeeper(store: store, holder: name, term: term, gate: gate, hooks: LeaseKeeper.Hooks(takeOver: {
                    tookOver.names.withLock { $0.append(name) }
                }), logger: logger)
            }
            let gateA = ReplicaGate(), gateB = ReplicaGate()
            let keeperA = keeper(a, "a", gateA), keeperB = keeper(b, "b", gateB)
            #expect(!gateA.mayWork, "a replica starts in standby")
            let runA = Task { await keeperA.run() }
            #expect(await eventually(timeout: .seconds(10)) { gateA.mayWork })
            let runB = Task { await keeperB.run() }
            try await Task.sleep(for: .milliseconds(1_500))
            #expect(gateA.mayWork && !gateB.mayWork, "one replica works at a time")

            // Cancelling stops the renewals; the keeper releases nothing it cannot reach in time,
            // and b waits for the lease to run out at most.
            let stopped = ContinuousClock.now
            runA.cancel()
            await runA.value
            #expect(!gateA.mayWork)
            #expect(await eventually(timeout: .seconds(10)) { gateB.mayWork })
            let failover = ContinuousClock.now - stopped
            #expect(failover < .seconds(2).scaledForTests, "took \(failover)")
            #expect(tookOver.names.withLock { $0 } == ["a", "b"])
            runB.cancel()
            await runB.value
        }
    }
}

private final class TookOver: Sendable {
    let names = Mutex<[String]>([])
}
