import CCE
import CurlHTTP
import Foundation
import JobhookCore
import Logging
import TestSupport
import Testing

/// The assembly line over a real SQLite store: what is recorded, when, and what the poller learns.
@Suite("Pipeline and watch list")
struct PipelineTests {
    let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// The engine's poller and pipeline running over `store` (the dispatcher is not run: deliveries stay queued).
    func running(_ store: any DeliveryStore, jobs: LiveJobs, config: Config? = nil, _ body: (Engine) async throws -> Void) async throws {
        let http = CurlClient()
        defer { http.shutdown() }
        let settings = Poller.Settings(interval: .milliseconds(20), maxRPS: 1000, initialBackoff: .milliseconds(10),
                                       maxBackoff: .milliseconds(40), firstPollSpread: .milliseconds(1))
        let engine = try await Engine(config: try config ?? PipelineFixtures.config(), store: store, fetcher: jobs, http: http,
                                      pollSettings: settings, logger: quiet)
        let poller = Task { await engine.poller.run() }
        let pipeline = Task { try await engine.pipeline.run() }
        defer { poller.cancel(); pipeline.cancel() }
        try await body(engine)
    }

    @Test func aChangeTheStoreRefusedTwiceIsReportedOnceItRecovers() async throws {
        let store = FailingStore(try SQLiteStore.inMemory())
        let jobs = LiveJobs()
        jobs.set(.cluster("c1", "Running"))
        try await running(store, jobs: jobs) { engine in
            try await engine.watches.add("c1", source: .api)
            #expect(try await eventually(timeout: .seconds(10)) { try await store.store.knownPhases()["c1"] == "Running" })
            // The disk fills up as the job fails: recording the change fails, and so would re-reading
            // the store's phases. Nothing may be remembered ahead of the store.
            store.fail(true)
            jobs.set(.cluster("c1", "Failed"))
            let refusedBefore = store.refused
            #expect(await pollerEventually { store.refused >= refusedBefore + 3 })  // several polls refused
            #expect(await engine.poller.knownPhases["c1"] == "Running")
            #expect(try await store.store.deliveries(state: nil, limit: 10).isEmpty)
            store.fail(false)
            #expect(try await eventually(timeout: .seconds(10)) { try await store.store.deliveries(state: nil, limit: 10).count == 1 })
            let delivery = try #require(try await store.store.deliveries(state: nil, limit: 10).first)
            #expect(delivery.transition == "Running → Failed")
            #expect(try await store.store.knownPhases()["c1"] == "Failed")
            #expect(try await store.store.watch("c1")?.state == .finished)
            #expect(await eventually(timeout: .seconds(10)) { await !engine.poller.isWatching("c1") })
        }
    }

    /// Issue 16: a tree whose sub-jobs all change at once is recorded in slices (bounded memory);
    /// a slice refused after earlier ones were recorded loses nothing and repeats nothing.
    @Test func aBigTreeIsRecordedInSlicesAndARefusedSliceLosesNothing() async throws {
        let store = FailingStore(try SQLiteStore.inMemory())
        let jobs = LiveJobs()
        let count = Pipeline.changesPerRecord * 2 + 10
        func tree(_ phase: String) -> Job {
            Job(uid: "big", type: "CreateCluster", phase: phase,
                subJobs: (0..<count).map { Job(uid: "big-\($0)", type: "CreateNode", phase: phase) })
        }
        jobs.set(tree("Running"))
        try await running(store, jobs: jobs) { engine in
            try await engine.watches.add("big", source: .api)
            #expect(try await eventually(timeout: .seconds(10)) { try await store.store.knownPhases().count == count + 1 })
            store.failRecords(after: 1)  // from the second slice of the Failed poll on
            jobs.set(tree("Failed"))
            #expect(await pollerEventually { store.refused >= 1 })
            // What a crash now would leave: the first slice's changes recorded with their phases,
            // the others' phases still Running, so they are detected again on restart.
            let phases = try await store.store.knownPhases()
            #expect(phases.values.filter { $0 == "Failed" }.count == Pipeline.changesPerRecord)
            #expect(try await store.store.deliveries(state: nil, limit: 10_000).count == Pipeline.changesPerRecord)
            store.fail(false)
            // Counting, not reading every stored request, while waiting: the test must not be what
            // loads the machine.
            #expect(try await eventually(timeout: .seconds(20), interval: .milliseconds(50)) {
                try await store.store.pendingCount() == count + 1
            })
            let deliveries = try await store.store.deliveries(state: nil, limit: 10_000)
            #expect(Set(deliveries.map(\.id)).count == count + 1)
            #expect(Set(deliveries.map(\.uid)).count == count + 1)
            #expect(try await eventually(timeout: .seconds(10)) { try await store.store.watch("big")?.state == .finished })
            #expect(try await store.store.knownPhases().values.allSatisfy { $0 == "Failed" })
        }
    }

    @Test func aFinishedJobIsPolledUntilItsEndIsRecorded() async throws {
        let store = FailingStore(try SQLiteStore.inMemory())
        let jobs = LiveJobs()
        jobs.set(.cluster("c2", "Success"))
        try await running(store, jobs: jobs) { engine in
            store.fail(true)
            // Added before the failure would refuse it: straight into the real store.
            _ = try await store.store.addWatch("c2", source: "api", at: Date())
            await engine.poller.watch("c2")
            #expect(await pollerEventually { jobs.count("c2") >= 3 })
            #expect(await engine.poller.isWatching("c2"))
            store.fail(false)
            #expect(try await eventually(timeout: .seconds(10)) { try await store.store.watch("c2")?.state == .finished })
            #expect(await eventually(timeout: .seconds(10)) { await !engine.poller.isWatching("c2") })
        }
    }

    @Test func everySourceAddsAWatchTheSameWay() async throws {
        let store = try SQLiteStore.inMemory()
        let jobs = LiveJobs()
        for source in WatchSource.allCases { jobs.set(.cluster("job-\(source.rawValue)", "Running")) }
        try await running(store, jobs: jobs) { engine in
            for source in WatchSource.allCases {
                let id = "job-\(source.rawValue)"
                let added = try await engine.watches.add(id, source: source)
                #expect(added.created)
                #expect(added.watch?.state == .watching)
                #expect(added.watch?.source == source.rawValue)
                #expect(await engine.poller.isWatching(id))
                #expect(try await !engine.watches.add(id, source: .api).created)  // known: 200, not 201
            }
        }
    }

    @Test func aRemovedWatchComesBackOnlyWhenAPersonAsksAgain() async throws {
        let store = try SQLiteStore.inMemory()
        let jobs = LiveJobs()
        jobs.set(.cluster("c3", "Running"))
        try await running(store, jobs: jobs) { engine in
            try await engine.watches.add("c3", source: .config)
            #expect(try await engine.watches.remove("c3"))
            #expect(await !engine.poller.isWatching("c3"))
            for source in [WatchSource.config, .discovery, .smn] {
                try await engine.watches.add("c3", source: source)
                #expect(try await store.watch("c3")?.state == .removed)
                #expect(await !engine.poller.isWatching("c3"))
            }
            try await engine.watches.resume(configured: ["c3"])
            #expect(await !engine.poller.isWatching("c3"))
            try await engine.watches.add("c3", source: .api)
            #expect(try await store.watch("c3")?.state == .watching)
            #expect(await engine.poller.isWatching("c3"))
        }
    }

    @Test func aFinishedJobAddedAgainIsNotPolledAndFiresNothing() async throws {
        let store = try SQLiteStore.inMemory()
        let jobs = LiveJobs()
        jobs.set(.cluster("c4", "Failed"))
        try await running(store, jobs: jobs) { engine in
            try await engine.watches.add("c4", source: .api)
            #expect(try await eventually(timeout: .seconds(10)) { try await store.watch("c4")?.state == .finished })
            #expect(await eventually(timeout: .seconds(10)) { await !engine.poller.isWatching("c4") })
            let polls = jobs.count("c4")
            for source in WatchSource.allCases { try await engine.watches.add("c4", source: source) }
            try await Task.sleep(for: .milliseconds(100))
            #expect(jobs.count("c4") == polls)
            #expect(try await store.deliveries(state: nil, limit: 10).count == 1)
        }
    }

    @Test func planListsEveryMatchingRuleRendered() throws {
        let config = try PipelineFixtures.config()
        let tree = Job.cluster("c5", "Failed", master: "Failed")
        let changes = PhaseTracker.changes(previous: ["c5": "Running", "c5-master": "Running"], tree: tree, rootID: "c5", detectedAt: Date())
        let deliveries = Pipeline.plan(changes, config: config)
        #expect(deliveries.map(\.uid) == ["c5", "c5-master"])
        #expect(deliveries.allSatisfy { $0.receiver == "ops" && $0.rule == "failed" })
    }
}
