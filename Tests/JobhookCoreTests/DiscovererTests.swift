import CCE
import CurlHTTP
import Foundation
import JobhookCore
import Logging
import Synchronization
import TestSupport
import Testing

/// A project as CCE shows it to one set of credentials: its jobs (ShowJob and ListJobs), its
/// clusters and nodes, and whether ListJobs is permitted. A test changes it as it goes.
final class FakeProject: JobFetching, JobListing {
    struct State {
        var jobs: [String: Job] = [:]
        var order: [String] = []
        var clusters: [ListedCluster] = []
        var nodes: [ListedNode] = []
        /// What ListJobs answers instead of the jobs (a 403, an answer over the size cap).
        var listJobsError: CCEError?
        var calls: [String: Int] = [:]
    }
    let state = Mutex(State())

    func set(_ job: Job) {
        state.withLock { state in
            let id = job.uid ?? ""
            if state.jobs[id] == nil { state.order.append(id) }
            state.jobs[id] = job
        }
    }
    func calls(_ name: String) -> Int { state.withLock { $0.calls[name] ?? 0 } }
    private func count(_ name: String) { state.withLock { $0.calls[name, default: 0] += 1 } }

    func showJob(_ id: String) async throws(CCEError) -> Job {
        count("show:\(id)")
        guard let job = state.withLock({ $0.jobs[id] }) else {
            throw CCEError(.api(status: 404), jobID: id, code: "CCE.01404001", message: "not found")
        }
        return job
    }

    func listJobs() async throws(CCEError) -> [Job] {
        count("jobs")
        let snapshot = state.withLock { $0 }
        if let error = snapshot.listJobsError { throw error }
        return snapshot.order.reversed().compactMap { snapshot.jobs[$0] }
    }

    func listClusters() async throws(CCEError) -> [ListedCluster] {
        count("clusters")
        return state.withLock { $0.clusters }
    }

    func listNodes(clusterID: String) async throws(CCEError) -> [ListedNode] {
        count("nodes:\(clusterID)")
        return state.withLock { $0.nodes.filter { $0.clusterID == clusterID } }
    }

    func showCluster(_ clusterID: String) async throws(CCEError) -> ListedCluster {
        count("cluster:\(clusterID)")
        guard let cluster = state.withLock({ $0.clusters.first { $0.uid == clusterID } }) else {
            throw CCEError(.api(status: 404), operation: "ShowCluster \(clusterID)", code: "CCE.01404001", message: "not found")
        }
        return cluster
    }
}

@Suite("Discoverer over a real store")
struct DiscovererTests {
    let longAgo = Date().addingTimeInterval(-86_400)

    func config(_ discover: DiscoverSettings) throws -> Config {
        var config = try PipelineFixtures.config()
        config.discover = discover
        return config
    }

    /// Poller, pipeline and discoverer running over `store`; deliveries stay queued.
    func running(_ store: any DeliveryStore, project: FakeProject, discover: DiscoverSettings = DiscoverSettings(interval: .milliseconds(50)),
                 _ body: (Engine) async throws -> Void) async throws {
        let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let http = CurlClient()
        defer { http.shutdown() }
        let settings = Poller.Settings(interval: .milliseconds(20), maxRPS: 1000, initialBackoff: .milliseconds(10),
                                       maxBackoff: .milliseconds(40), firstPollSpread: .milliseconds(1))
        let engine = try await Engine(config: try config(discover), store: store, fetcher: project, lister: project, http: http,
                                      pollSettings: settings, logger: quiet)
        let discoverer = try #require(engine.discoverer)
        let poller = Task { await engine.poller.run() }
        let pipeline = Task { try await engine.pipeline.run() }
        let discovery = Task { try await discoverer.run() }
        defer { discovery.cancel(); poller.cancel(); pipeline.cancel() }
        try await body(engine)
    }

    /// Polls the store until its deliveries by job are `expected` (a plain loop: a closure here
    /// once made the compiler crash).
    static func waitForDeliveries(_ store: any DeliveryStore, _ expected: [String: Int], timeout: Duration = .seconds(10)) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout.scaledForTests
        while ContinuousClock.now < deadline {
            if try await deliveriesByJob(store) == expected { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    static func deliveriesByJob(_ store: any DeliveryStore) async throws -> [String: Int] {
        try await store.deliveries(state: nil, limit: 1000).reduce(into: [:]) { counts, delivery in counts[delivery.jobID, default: 0] += 1 }
    }

    @Test func theBaselineIsSilentAndEveryLaterJobIsReportedOnce() async throws {
        let store = try SQLiteStore.inMemory()
        let project = FakeProject()
        project.set(Job(uid: "old-failure", type: "CreateCluster", phase: "Failed", updatedAt: longAgo))
        project.set(Job(uid: "running", type: "CreateCluster", phase: "Running", updatedAt: Date()))
        try await running(store, project: project) { (engine: Engine) async throws in
            #expect(try await eventually(timeout: .seconds(10)) { try await store.watch("running")?.source == "discovery" })
            #expect(try await store.discoveryBaseline(account: "default") != nil)
            project.set(Job(uid: "running", type: "CreateCluster", phase: "Failed", updatedAt: Date()))
            project.set(Job(uid: "later", type: "CreateCluster", phase: "Failed", updatedAt: Date()))
            #expect(try await Self.waitForDeliveries(store, ["running": 1, "later": 1]))
            try await Task.sleep(for: .milliseconds(300))  // several more listings
            let counts = try await Self.deliveriesByJob(store)
            #expect(counts == ["running": 1, "later": 1])
            #expect(project.calls("show:old-failure") == 0, "a baseline job is never polled")
            #expect(try await store.watch("old-failure") == nil)
        }
    }

    @Test func aWatchRemovedThroughTheAPIIsNotDiscoveredAgain() async throws {
        let store = try SQLiteStore.inMemory()
        let project = FakeProject()
        try await running(store, project: project) { (engine: Engine) async throws in
            #expect(try await eventually(timeout: .seconds(10)) { try await store.discoveryBaseline(account: "default") != nil })
            project.set(Job(uid: "unwanted", type: "CreateNode", phase: "Running", updatedAt: Date()))
            #expect(try await eventually(timeout: .seconds(10)) { try await store.watch("unwanted")?.state == .watching })
            #expect(try await engine.watches.remove("unwanted"))
            let listings = project.calls("jobs")
            #expect(await eventually(timeout: .seconds(10)) { project.calls("jobs") >= listings + 3 })
            #expect(try await store.watch("unwanted")?.state == .removed)
            #expect(await !engine.poller.isWatching("unwanted"))
        }
    }

    @Test func typesAndClustersLimitWhatIsWatched() async throws {
        let store = try SQLiteStore.inMemory()
        let project = FakeProject()
        project.set(Job(uid: "wanted", type: "CreateCluster", phase: "Running", clusterID: "c-1"))
        project.set(Job(uid: "other-type", type: "UpgradeNode", phase: "Running", clusterID: "c-1"))
        project.set(Job(uid: "other-cluster", type: "CreateCluster", phase: "Running", clusterID: "c-2"))
        let discover = DiscoverSettings(interval: .milliseconds(50), types: ["CreateCluster"], clusters: ["c-1"])
        try await running(store, project: project, discover: discover) { (_: Engine) async throws in
            #expect(try await eventually(timeout: .seconds(10)) { try await store.watch("wanted") != nil })
            try await Task.sleep(for: .milliseconds(200))
            #expect(try await store.watch("other-type") == nil)
            #expect(try await store.watch("other-cluster") == nil)
        }
    }

    static let forbidden = CCEError(.api(status: 403), operation: "ListJobs", code: "CCE.01403001", message: "no permission")
    /// Issue 16: a job history too large for one answer left `auto` retrying ListJobs forever.
    static let tooLarge = CCEError(.transport(.bodyTooLarge), operation: "ListJobs", message: "the answer is larger than 32 MiB")

    @Test(arguments: [forbidden, tooLarge])
    func underAutoARefusedListJobsSwitchesToClustersAndNodes(refusal: CCEError) async throws {
        let store = try SQLiteStore.inMemory()
        let project = FakeProject()
        project.state.withLock { state in
            state.listJobsError = refusal
            state.clusters = [ListedCluster(uid: "c-new", phase: "Creating", jobID: "job-cluster"),
                              ListedCluster(uid: "c-old", phase: "Available")]
            state.nodes = [ListedNode(uid: "n-1", phase: "Installing", jobID: "job-node", clusterID: "c-old")]
        }
        project.set(Job(uid: "job-cluster", type: "CreateCluster", phase: "Running"))
        project.set(Job(uid: "job-node", type: "CreateNode", phase: "Running"))
        try await running(store, project: project) { (engine: Engine) async throws in
            let both = try await eventually(timeout: .seconds(10)) {
                let cluster = try await store.watch("job-cluster")?.state
                let node = try await store.watch("job-node")?.state
                return cluster == .watching && node == .watching
            }
            #expect(both)
            #expect(project.calls("jobs") == 1, "after the 403, ListJobs is not asked again")
            #expect(project.calls("clusters") >= 1)
            #expect(project.calls("nodes:c-old") >= 1)
            #expect(await eventually(timeout: .seconds(10)) { await engine.poller.isWatching("job-node") })
        }
    }

    @Test func underJobsAForbiddenListJobsStopsListingUntilTheNextReload() async throws {
        let store = try SQLiteStore.inMemory()
        let project = FakeProject()
        project.state.withLock { $0.listJobsError = Self.forbidden }
        let discover = DiscoverSettings(interval: .milliseconds(50), via: .jobs)
        try await running(store, project: project, discover: discover) { (engine: Engine) async throws in
            #expect(await eventually(timeout: .seconds(10)) { project.calls("jobs") == 1 })
            try await Task.sleep(for: .milliseconds(300))
            #expect(project.calls("jobs") == 1)
            #expect(project.calls("clusters") == 0)
            project.state.withLock { $0.listJobsError = nil }
            project.set(Job(uid: "after-reload", type: "CreateCluster", phase: "Running"))
            engine.config.replace(engine.config.current)
            #expect(try await eventually(timeout: .seconds(10)) { try await store.watch("after-reload") != nil })
        }
    }
}
