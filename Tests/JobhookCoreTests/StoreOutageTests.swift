import CCE
import CurlHTTP
import Foundation
import JobhookCore
import Logging
import Synchronization
import TestSupport
import Testing

/// Issue 16: the state store refusing writes (a full disk) loses nothing detected and repeats
/// nothing delivered, and work resumes when it accepts writes again — without a restart.
@Suite("Store outage")
struct StoreOutageTests {
    let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    // MARK: The changes the poller keeps

    func change(_ uid: String, _ from: String, _ to: String, root: Job) -> PhaseChange {
        PhaseChange(rootID: "c1", uid: uid, level: uid == "c1" ? .job : .subjob, from: from, to: to,
                    job: Job(uid: uid, phase: to), parent: nil, root: root, detectedAt: Date())
    }

    @Test func aRefusedReportIsKeptWholeAndTheNextDiffStartsFromIt() {
        let tree = Job.cluster("c1", "Running", master: "Success")
        var refused = RefusedChanges()
        let report = [
            change("c1", "", "Initializing", root: tree),
            change("c1-master", "", "Running", root: tree),
            change("c1", "Initializing", "Running", root: tree),
            change("c1-master", "Running", "Success", root: tree),
        ]
        #expect(refused.keep(report, tree: tree, rootID: "c1") == 0)
        #expect(refused.changes.map(\.key) == report.map(\.key))
        #expect(refused.overlaid(on: ["other": "Success", "c1": ""]) == ["other": "Success", "c1": "Running", "c1-master": "Success"])
    }

    @Test func overTheLimitWhatADiffReproducesGoesFirstThenTheOldest() {
        let tree = Job(uid: "c1", phase: "Running", subJobs: (0..<RefusedChanges.limit).map { Job(uid: "n\($0)", phase: "Success") })
        // Every node passed through Running (kept) to Success (detected again by the next diff).
        let passed = (0..<RefusedChanges.limit).map { change("n\($0)", "", "Running", root: tree) }
        let reached = (0..<RefusedChanges.limit).map { change("n\($0)", "Running", "Success", root: tree) }
        var refused = RefusedChanges()
        #expect(refused.keep(passed + reached, tree: tree, rootID: "c1") == 0)
        #expect(refused.changes.map(\.key) == passed.map(\.key))
        // Nothing a diff reproduces left: the oldest go, and are counted.
        let more = (0..<5).map { change("m\($0)", "", "Running", root: tree) }
        #expect(refused.keep(passed + more, tree: tree, rootID: "c1") == 5)
        #expect(refused.changes.count == RefusedChanges.limit)
        #expect(refused.changes.first?.uid == "n5")
    }

    // MARK: Through the pipeline

    /// The chaos finding: a job that passes through a phase while the disk is full. Before, the
    /// next poll diffed against the recorded phase and the phase in between was never told.
    @Test func aPhasePassedThroughWhileTheStoreRefusedIsStillDelivered() async throws {
        let yaml = """
            cce: {region: cn-north-4, project_id: p1, auth: {token: t}}
            receivers:
              - name: ops
                url: http://127.0.0.1:9/hook
            rules:
              - name: every-change
                match: {}
                notify: [ops]
            """
        var config = try ConfigLoader.parse(yaml: yaml, file: "rules.yaml", environment: [:])
        config.poll.interval = .milliseconds(20)
        let store = FailingStore(try SQLiteStore.inMemory())
        let jobs = LiveJobs()
        jobs.set(.cluster("c1", "Initializing", master: "Initializing"))
        try await PipelineTests().running(store, jobs: jobs, config: config) { engine in
            try await engine.watches.add("c1", source: .api)
            #expect(try await eventually(timeout: .seconds(10)) { try await store.store.knownPhases()["c1-master"] == "Initializing" })
            store.fail(true)
            jobs.set(.cluster("c1", "Running", master: "Running"))
            var refused = store.refused
            #expect(await pollerEventually { store.refused >= refused + 2 })
            jobs.set(.cluster("c1", "Running", master: "Success"))
            refused = store.refused
            #expect(await pollerEventually { store.refused >= refused + 2 })
            jobs.set(.cluster("c1", "Success", master: "Success"))
            refused = store.refused
            #expect(await pollerEventually { store.refused >= refused + 2 })
            store.fail(false)
            #expect(try await eventually(timeout: .seconds(10)) { try await store.store.watch("c1")?.state == .finished })
            let told = try await store.store.deliveries(state: nil, limit: 100).map { "\($0.uid): \($0.transition)" }
            #expect(Set(told) == [
                "c1: (new) → Initializing", "c1-master: (new) → Initializing",
                "c1: Initializing → Running", "c1-master: Initializing → Running",
                "c1-master: Running → Success", "c1: Running → Success",
            ])
            #expect(told.count == 6)
        }
    }

    // MARK: The dispatcher

    func delivery(_ id: String, url: String, attempts: Int = 0, createdAt: Date = Date()) -> Delivery {
        var delivery = Delivery(
            id: id, receiver: "hook", rule: "r", jobID: "job-1", uid: "job-1", transition: "Running → Failed",
            request: RenderedRequest(method: "POST", url: url, body: Data(#"{"a":1}"#.utf8), contentType: "application/json"),
            createdAt: createdAt)
        delivery.attempts = attempts
        return delivery
    }

    /// Before, a webhook sent while the store could not record "delivered" stayed due and was sent
    /// again at once, over and over (24,748 re-sends in a short chaos run).
    @Test func aDeliveredOutcomeTheStoreRefusedIsHeldNotSentAgain() async throws {
        let dir = try StoreDirectory()
        defer { dir.cleanUp() }
        let server = try LoopbackServer { _ in .status(200) }
        defer { server.stop() }
        let sqlite = try SQLiteStore(path: dir.storePath)
        let store = FailingStore(sqlite)
        try await sqlite.record(PollRecord(jobID: "job-1", tree: StoreSamples.tree(), phases: [:],
                                           deliveries: [delivery("evt_1", url: server.url("/hook"))]))
        store.fail(true)
        let http = CurlClient()
        defer { http.shutdown() }
        let dispatcher = Dispatcher(store: store, http: http, targets: [DeliveryTarget(name: "hook")], logger: quiet)
        let task = Task { try await dispatcher.run() }
        await dispatcher.wake()
        #expect(await eventually(timeout: .seconds(10)) { server.requests.count == 1 })
        // The outcome is written again each second; the webhook is not sent again meanwhile.
        #expect(await eventually(timeout: .seconds(10)) { store.refused >= 3 })
        #expect(server.requests.count == 1)
        #expect(try await sqlite.delivery("evt_1")?.state == .pending)
        store.fail(false)
        #expect(try await eventually(timeout: .seconds(10)) { try await sqlite.delivery("evt_1")?.state == .delivered })
        #expect(server.requests.count == 1)
        task.cancel()
        await dispatcher.drain(deadline: .seconds(1))
    }

    /// Before, a retry whose lane was held up past `max_age` was still sent (513 in a chaos run).
    @Test func aRetryStartingPastMaxAgeIsDeadNotSent() async throws {
        let dir = try StoreDirectory()
        defer { dir.cleanUp() }
        let server = try LoopbackServer { _ in .status(200) }
        defer { server.stop() }
        let store = try SQLiteStore(path: dir.storePath)
        let old = Date().addingTimeInterval(-120)
        try await store.record(PollRecord(jobID: "job-1", tree: StoreSamples.tree(), phases: [:], deliveries: [
            delivery("evt_retry", url: server.url("/hook"), attempts: 2, createdAt: old),
            delivery("evt_first", url: server.url("/hook"), attempts: 0, createdAt: old),  // e.g. after `deliveries retry`
        ]))
        let retry = RetrySettings(maxAttempts: 5, initialBackoff: .milliseconds(20), maxBackoff: .milliseconds(50), maxAge: .seconds(60))
        let http = CurlClient()
        defer { http.shutdown() }
        let dispatcher = Dispatcher(store: store, http: http, targets: [DeliveryTarget(name: "hook", retry: retry)], logger: quiet)
        let task = Task { try await dispatcher.run() }
        await dispatcher.wake()
        #expect(try await eventually(timeout: .seconds(10)) {
            let retried = try await store.delivery("evt_retry")?.state
            let first = try await store.delivery("evt_first")?.state
            return retried == .dead && first == .delivered
        })
        #expect(server.requests.map { $0.header("webhook-id") } == ["evt_first"])
        let dead = try #require(try await store.delivery("evt_retry"))
        #expect(dead.lastError?.contains("max_age 1m passed before attempt 3; not sent") == true)
        #expect(dead.attempts == 2)
        task.cancel()
        await dispatcher.drain(deadline: .seconds(1))
    }
}
