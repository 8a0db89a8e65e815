import CCE
import Foundation
@testable import JobhookCore
import Testing

@Suite("Discovery: what a listing means (pure)")
struct DiscoveryPlanTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func listed(_ id: String, _ phase: String, type: String = "CreateCluster", cluster: String = "c-1", age: TimeInterval = 3600) -> Sighting {
        let tree = Job(uid: id, type: type, phase: phase, clusterID: cluster, updatedAt: now.addingTimeInterval(-age),
                       subJobs: [Job(uid: "\(id)-sub", type: "InstallMaster", phase: phase)])
        return Sighting(listed: tree)!
    }

    @Test func baselineRecordsOldFinishedJobsSilentlyAndWatchesTheRest() {
        let plan = DiscoveryPlan(sightings: [listed("old-ok", "Success"), listed("old-bad", "Failed"), listed("running", "Running")],
                                 known: [], baselineTaken: false, settings: DiscoverSettings(), now: now)
        #expect(plan.watch.map(\.jobID) == ["running"])
        #expect(Set(plan.silent.keys) == ["old-ok", "old-bad"])
        #expect(plan.silent["old-bad"] == ["old-bad": "Failed", "old-bad-sub": "Failed"])
    }

    @Test func backfillReportsFinishedJobsUpdatedWithinIt() {
        let settings = DiscoverSettings(backfill: .seconds(600))
        let plan = DiscoveryPlan(sightings: [listed("recent", "Failed", age: 60), listed("old", "Failed", age: 3600)],
                                 known: [], baselineTaken: false, settings: settings, now: now)
        #expect(plan.watch.map(\.jobID) == ["recent"])
        #expect(Array(plan.silent.keys) == ["old"])
    }

    @Test func afterTheBaselineEveryNewJobIsWatchedEvenAFinishedOne() {
        let plan = DiscoveryPlan(sightings: [listed("failed-while-down", "Failed", age: 86_400), listed("known", "Failed")],
                                 known: ["known"], baselineTaken: true, settings: DiscoverSettings(), now: now)
        #expect(plan.watch.map(\.jobID) == ["failed-while-down"])
        #expect(plan.silent.isEmpty)
    }

    @Test func aKnownJobIsNeverReportedAgainWhateverItsState() {
        let plan = DiscoveryPlan(sightings: [listed("removed-through-api", "Running")], known: ["removed-through-api"],
                                 baselineTaken: true, settings: DiscoverSettings(), now: now)
        #expect(plan.watch.isEmpty)
    }

    @Test func duplicateAndInvalidIDsAreLeftOut() {
        let bad = Sighting(jobID: "../../etc/passwd", phase: "Running")
        let plan = DiscoveryPlan(sightings: [listed("a", "Running"), listed("a", "Running"), bad], known: [], baselineTaken: true,
                                 settings: DiscoverSettings(), now: now)
        #expect(plan.watch.map(\.jobID) == ["a"])
        #expect(plan.invalid == 1)
    }

    @Test func typesAndClustersFilterWhatIsWatchedButNotTheBaseline() {
        let settings = DiscoverSettings(types: ["CreateCluster"], clusters: ["c-1"])
        let sightings = [
            listed("match", "Running"), listed("other-type", "Running", type: "CreateNode"),
            listed("other-cluster", "Running", cluster: "c-2"), listed("old-other-type", "Failed", type: "DeleteNode"),
        ]
        let plan = DiscoveryPlan(sightings: sightings, known: [], baselineTaken: false, settings: settings, now: now)
        #expect(plan.watch.map(\.jobID) == ["match"])
        #expect(Array(plan.silent.keys) == ["old-other-type"])
    }

    @Test func aJobOfUntoldTypePassesOnlyWithoutATypesFilter() {
        let untold = Sighting(jobID: "resize-job", clusterID: "c-1")
        #expect(DiscoveryPlan(sightings: [untold], known: [], baselineTaken: true, settings: DiscoverSettings(), now: now).watch.count == 1)
        let filtered = DiscoverSettings(types: ["CreateCluster"])
        #expect(DiscoveryPlan(sightings: [untold], known: [], baselineTaken: true, settings: filtered, now: now).watch.isEmpty)
    }

    @Test func manyNewJobsJoinOverSeveralListings() {
        let sightings = (0..<25).map { listed("job-\($0)", "Running") }
        let plan = DiscoveryPlan(sightings: sightings, known: [], baselineTaken: true, settings: DiscoverSettings(), now: now, limit: 10)
        #expect(plan.watch.count == 10)
        #expect(plan.deferred == 15)
    }

    @Test func clustersAndNodesAtWorkGiveTheirJobs() {
        let clusters = [
            ListedCluster(uid: "c-new", name: "new", phase: "Creating", jobID: "job-create"),
            ListedCluster(uid: "c-old", name: "old", phase: "Available", jobID: "job-stale"),
            ListedCluster(uid: "c-gone", name: "gone", phase: "Deleting", jobID: "job-delete"),
            ListedCluster(uid: "c-quiet", name: "quiet", phase: "Available"),
        ]
        let nodes = [
            ListedNode(uid: "n-1", phase: "Installing", jobID: "job-node", clusterID: "c-old"),
            ListedNode(uid: "n-2", phase: "Active", jobID: "job-node-old", clusterID: "c-old"),
        ]
        let sightings = ClusterSightings.sightings(clusters: clusters, nodes: nodes)
        #expect(sightings.map(\.jobID) == ["job-create", "job-delete", "job-node"])
        #expect(sightings.map(\.type) == ["CreateCluster", "DeleteCluster", "CreateNode"])
        #expect(sightings.map(\.clusterID) == ["c-new", "c-gone", "c-old"])
        #expect(sightings.allSatisfy { $0.phase == nil }, "a job found at work is never baseline-silent")
    }
}

@Suite("Discovery: the discover section")
struct DiscoverConfigTests {
    let base = "cce: {region: r, project_id: p}\n"

    @Test func absentMeansOffAndEmptyMeansDefaults() throws {
        #expect(try ConfigFixtures.load(base).discover == nil)
        #expect(try ConfigFixtures.load(base + "discover: {}\n").discover == DiscoverSettings())
        #expect(try ConfigFixtures.load(base + "discover:\n").discover == DiscoverSettings())
    }

    @Test func everyKeyIsRead() throws {
        let config = try ConfigFixtures.load(base + """
            discover:
              interval: 1m
              via: clusters
              types: [CreateCluster, DeleteCluster]
              clusters: c-1
              backfill: 2h
            """)
        #expect(config.discover == DiscoverSettings(interval: .seconds(60), via: .clusters, types: ["CreateCluster", "DeleteCluster"],
                                                    clusters: ["c-1"], backfill: .seconds(7200)))
    }

    @Test func badValuesAreReportedWhereTheyAre() {
        let problems = ConfigFixtures.problems(base + """
            discover:
              interval: 100ms
              via: listing
              types: [CreateCluster, ""]
              backfill: soon
              every: 5m
            """)
        #expect(problems.contains { $0.hasPrefix("rules.yaml:3:13:") && $0.contains("at least 1s") })
        #expect(problems.contains { $0.hasPrefix("rules.yaml:4:8:") && $0.contains("expected one of jobs, clusters, auto") })
        #expect(problems.contains { $0.hasPrefix("rules.yaml:5:26:") && $0.contains("non-empty") })
        #expect(problems.contains { $0.hasPrefix("rules.yaml:6:13:") && $0.contains("duration") })
        #expect(problems.contains { $0.hasPrefix("rules.yaml:7:3:") && $0.contains("unknown key 'every'") })
    }
}
