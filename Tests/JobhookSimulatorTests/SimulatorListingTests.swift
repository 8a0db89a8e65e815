import CCE
import CurlHTTP
import Foundation
import JobhookSimulator
import Testing
import TestSupport

@Suite("CCE simulator listings")
struct SimulatorListingTests {
    let http = CurlClient()

    func client(_ sim: RunningSimulator, project: String = "p123",
                _ signer: any RequestSigner = StaticToken(Secret("t"))) throws -> CCEClient {
        CCEClient(endpoint: try CCEEndpoint(url: sim.endpoint), projectID: project, http: http,
                  credentials: signer, timeout: .seconds(10), logger: .silent)
    }

    func get(_ sim: RunningSimulator, _ path: String, headers: [HTTPHeader] = []) async throws -> HTTPResponse {
        try await http.send(HTTPRequest(url: sim.endpoint + path, headers: headers, timeout: .seconds(10)))
    }

    func failure<T>(_ body: () async throws(CCEError) -> T) async -> CCEError? {
        do {
            _ = try await body()
            return nil
        } catch {
            return error
        }
    }

    /// Jobs that begin at 2s and end at 4s, next to settled ones that exist from the start.
    static let lifecycleYAML = """
        project_id: p123
        jobs:
          - {id: create-c0, type: CreateCluster, cluster_id: c-0, resource_name: old, timeline: [{after: 0s, phase: Success}]}
          - {id: create-c9, type: CreateCluster, cluster_id: c-9, timeline: [{after: 0s, phase: Success}]}
          - {id: create-old, type: CreateNode, cluster_id: c-9, resource_id: n-old, timeline: [{after: 0s, phase: Success}]}
          - id: create-c1
            type: CreateCluster
            cluster_id: c-1
            resource_name: prod
            timeline:
              - {after: 2s, phase: Running, subjobs: [{id: create-c1-master, type: InstallMaster, phase: Running}]}
              - {after: 4s, phase: Success, subjobs: [{id: create-c1-master, type: InstallMaster, phase: Success}]}
          - {id: create-cf, type: CreateCluster, cluster_id: c-f, timeline: [{after: 2s, phase: Running}, {after: 4s, phase: Failed, reason: quota}]}
          - {id: delete-c0, type: DeleteCluster, cluster_id: c-0, timeline: [{after: 2s, phase: Running}, {after: 4s, phase: Success}]}
          - {id: create-n1, type: CreateNode, cluster_id: c-1, resource_id: n-1, resource_name: worker-1, timeline: [{after: 2s, phase: Initializing}, {after: 4s, phase: Success}]}
          - {id: delete-old, type: DeleteNode, cluster_id: c-9, resource_id: n-old, timeline: [{after: 2s, phase: Running}, {after: 4s, phase: Success}]}
        """

    @Test func listingsFollowTheTimelines() async throws {
        let beforeStart = ContinuousClock.now
        let simulator = CCESimulator(scenario: try Scenario.parse(Self.lifecycleYAML))
        let afterStart = ContinuousClock.now
        let sim = try await simulator.start(logger: .silent)
        defer { Task { await sim.stop() } }
        let client = try client(sim)

        // Before 2s: only what began at 0s.
        let jobs0 = try await client.listJobs().compactMap(\.uid)
        let clusters0 = try await client.listClusters()
        let nodes0 = try await client.listNodes(clusterID: "c-9")
        let notYet = await failure { () throws(CCEError) in try await client.listNodes(clusterID: "c-1") }
        if ContinuousClock.now - beforeStart < .milliseconds(1900) {  // a busy machine may reach us late
            #expect(jobs0 == ["create-c0", "create-c9", "create-old"])
            #expect(clusters0 == [ListedCluster(uid: "c-0", name: "old", phase: "Available"),
                                  ListedCluster(uid: "c-9", name: "c-9", phase: "Available")])
            #expect(nodes0 == [ListedNode(uid: "n-old", name: "n-old", phase: "Active", clusterID: "c-9")])
            #expect(notYet?.isNotFound == true)
        }

        // Between 2s and 4s: working phases with the job's ID.
        try await Task.sleep(until: afterStart + .seconds(3), clock: .continuous)
        let jobs1 = try await client.listJobs()
        let clusters1 = try await client.listClusters()
        let nodes1 = try await client.listNodes(clusterID: "c-1")
        let nodes9 = try await client.listNodes(clusterID: "c-9")
        if ContinuousClock.now - beforeStart < .milliseconds(3900) {
            #expect(jobs1.count == 8)
            #expect(jobs1.first { $0.uid == "create-c1" }?.subJobs.map(\.uid) == ["create-c1-master"])
            #expect(Set(clusters1) == [
                ListedCluster(uid: "c-0", name: "old", phase: "Deleting", jobID: "delete-c0"),
                ListedCluster(uid: "c-9", name: "c-9", phase: "Available"),
                ListedCluster(uid: "c-1", name: "prod", phase: "Creating", jobID: "create-c1"),
                ListedCluster(uid: "c-f", name: "c-f", phase: "Creating", jobID: "create-cf"),
            ])
            #expect(nodes1 == [ListedNode(uid: "n-1", name: "worker-1", phase: "Installing", jobID: "create-n1", clusterID: "c-1")])
            #expect(nodes9 == [ListedNode(uid: "n-old", name: "n-old", phase: "Deleting", jobID: "delete-old", clusterID: "c-9")])
        }

        // After 4s: settled, deleted ones gone.
        try await Task.sleep(until: afterStart + .milliseconds(4500), clock: .continuous)
        #expect(try await client.listJobs().allSatisfy { Job.isTerminal($0.phase) })
        #expect(Set(try await client.listClusters()) == [
            ListedCluster(uid: "c-9", name: "c-9", phase: "Available"),
            ListedCluster(uid: "c-1", name: "prod", phase: "Available"),
            ListedCluster(uid: "c-f", name: "c-f", phase: "Error"),
        ])
        #expect(try await client.listNodes(clusterID: "c-1").map(\.phase) == ["Active"])
        #expect(try await client.listNodes(clusterID: "c-9").isEmpty)
        let deleted = await failure { () throws(CCEError) in try await client.listNodes(clusterID: "c-0") }
        #expect(deleted?.isNotFound == true)
    }

    @Test func listJobsServesTheV2JobShapeOfWhatShowJobServes() async throws {
        let sim = try await CCESimulator(scenario: Scenario.parse(Self.lifecycleYAML)).start(logger: .silent)
        defer { Task { await sim.stop() } }
        let answer = try await get(sim, "/api/v2/projects/p123/jobs")
        #expect(answer.status == 200 && answer.header("X-Request-Id")?.count == 32)
        let document = try #require(try JSONSerialization.jsonObject(with: answer.body) as? [String: Any])
        #expect(document["kind"] as? String == "List" && document["apiVersion"] as? String == "v2")
        let items = try #require(document["items"] as? [[String: Any]])
        let first = try #require(items.first)
        #expect(first["apiVersion"] as? String == "v2")
        let spec = try #require(first["spec"] as? [String: Any])
        #expect(spec["clusteruid"] as? String == "c-0" && spec["resourcename"] as? String == "old")
        #expect(spec["subjobs"] is [Any] && spec["clusterUID"] == nil && spec["subJobs"] == nil)
        let status = try #require(first["status"] as? [String: Any])
        #expect(status["status"] as? String == "Success" && status["phase"] == nil)
        let metadata = try #require(first["metadata"] as? [String: String])
        #expect(metadata["creationTimestamp"]?.hasSuffix(" +0000 UTC") == true)
        #expect(metadata["updateTimestamp"].flatMap(GoTimestamp.parse) != nil)

        let shown = try Job.decode(try await get(sim, "/api/v3/projects/p123/jobs/create-c0").body)
        #expect(try Job.decodeList(answer.body).first == shown)
    }

    @Test func jobsAddedThroughTheControlAPIAreListed() async throws {
        let sim = try await CCESimulator(scenario: Scenario(jobs: [])).start(logger: .silent)
        defer { Task { await sim.stop() } }
        let client = try client(sim)
        #expect(try await client.listJobs().isEmpty)
        let added = try await http.send(HTTPRequest(
            method: "POST", url: sim.endpoint + "/sim/jobs", headers: [HTTPHeader("Content-Type", "application/json")],
            body: Data(#"{"id": "rt", "type": "CreateCluster", "cluster_id": "c-rt", "timeline": [{"after": "0s", "phase": "Running"}]}"#.utf8),
            timeout: .seconds(5)))
        #expect(added.status == 201)
        let jobs = try await client.listJobs()
        #expect(jobs.map(\.uid) == ["rt"] && jobs.first?.clusterID == "c-rt" && jobs.first?.phase == "Running")
        #expect(try await client.listClusters() == [ListedCluster(uid: "c-rt", name: "c-rt", phase: "Creating", jobID: "rt")])

        await sim.simulator.setPhase("rt", to: "Failed", reason: "quota")
        #expect(try await client.listJobs().first?.reason == "quota")
        #expect(try await client.listClusters().first?.phase == "Error")
    }

    @Test func listJobsForbiddenAnswers403AndLeavesClustersListable() async throws {
        let sim = try await CCESimulator(scenario: Scenario.parse("""
            list_jobs: forbidden
            jobs: [{id: j1, type: CreateCluster, cluster_id: c-1, timeline: [{after: 0s, phase: Running}]}]
            """)).start(logger: .silent)
        defer { Task { await sim.stop() } }
        let client = try client(sim)
        let error = try #require(await failure { () throws(CCEError) in try await client.listJobs() })
        #expect(error.status == 403 && error.operation == "ListJobs" && error.code == "CCE.01403001")
        #expect(error.message.contains("cce:job:list"))
        #expect(try await client.listClusters().first?.jobID == "j1")
        #expect(try await client.showJob("j1").phase == "Running")
    }

    @Test func listJobsNotFoundAnswers404() async throws {
        let sim = try await CCESimulator(scenario: Scenario.parse("list_jobs: not_found\njobs: []")).start(logger: .silent)
        defer { Task { await sim.stop() } }
        let client = try client(sim)
        #expect(await failure { () throws(CCEError) in try await client.listJobs() }?.isNotFound == true)
    }

    static func nodeScenario(count: Int) -> Scenario {
        Scenario(jobs: [Scenario.ScriptedJob(id: "c", type: "CreateCluster", clusterID: "c-1",
                                             timeline: [.init(after: .zero, phase: "Success")])]
            + (0..<count).map { n in
                Scenario.ScriptedJob(id: "n\(n)", type: "CreateNode", clusterID: "c-1", resourceID: String(format: "node-%05d", n),
                                     timeline: [.init(after: .zero, phase: "Success")])
            })
    }

    @Test func listNodesPagesWithLimitAndMarker() async throws {
        let sim = try await CCESimulator(scenario: Self.nodeScenario(count: 5)).start(logger: .silent)
        defer { Task { await sim.stop() } }
        func page(_ query: String) async throws -> [String] {
            let answer = try await get(sim, "/api/v3/projects/p/clusters/c-1/nodes?" + query)
            return try ListedNode.decodeList(answer.body, clusterID: "c-1").compactMap(\.uid)
        }
        #expect(try await page("limit=2") == ["node-00000", "node-00001"])
        #expect(try await page("limit=2&marker=node-00001") == ["node-00002", "node-00003"])
        #expect(try await page("limit=2&marker=node-00003") == ["node-00004"])
        #expect(try await page("marker=node-00004").isEmpty)
        for bad in ["limit=0", "limit=2001", "limit=x"] {
            #expect(try await get(sim, "/api/v3/projects/p/clusters/c-1/nodes?" + bad).status == 400)
        }
        #expect(try await get(sim, "/api/v3/projects/p/clusters/nope/nodes").status == 404)
    }

    @Test func clientFollowsTheSimulatorsPagesPastTwoThousandNodes() async throws {
        let sim = try await CCESimulator(scenario: Self.nodeScenario(count: 2003)).start(logger: .silent)
        defer { Task { await sim.stop() } }
        let nodes = try await client(sim).listNodes(clusterID: "c-1")
        #expect(nodes.count == 2003 && Set(nodes.compactMap(\.uid)).count == 2003)
        #expect(await sim.simulator.stats().listings["nodes"] == 2)
    }

    @Test func listingsPassTheCredentialAndProjectGate() async throws {
        let sim = try await CCESimulator(scenario: Scenario(projectID: "p123", auth: .aksk(accessKey: "AKTEST", secretKey: "SKTEST"),
                                                            jobs: Self.nodeScenario(count: 3).jobs)).start(logger: .silent)
        defer { Task { await sim.stop() } }
        let good = AKSKSigner(accessKey: Secret("AKTEST"), secretKey: Secret("SKTEST"), logger: .silent)
        #expect(try await client(sim, good).listJobs().count == 4)
        #expect(try await client(sim, good).listClusters().count == 1)
        #expect(try await client(sim, good).listNodes(clusterID: "c-1").count == 3, "the signed query verifies")

        let bad = AKSKSigner(accessKey: Secret("AKTEST"), secretKey: Secret("wrong"), logger: .silent)
        let refused = try client(sim, bad)
        #expect(await failure { () throws(CCEError) in try await refused.listJobs() }?.status == 401)
        #expect(await failure { () throws(CCEError) in try await refused.listClusters() }?.status == 401)
        #expect(await failure { () throws(CCEError) in try await refused.listNodes(clusterID: "c-1") }?.status == 401)

        let elsewhere = try client(sim, project: "other", good)
        #expect(await failure { () throws(CCEError) in try await elsewhere.listJobs() }?.isNotFound == true)

        let stats = await sim.simulator.stats()
        #expect(stats.listings == ["jobs": 3, "clusters": 2, "nodes": 2], "refused requests count too")
        #expect(stats.total == 0)
    }

    @Test func tokenModeRefusesListingsWithoutTheToken() async throws {
        let sim = try await CCESimulator(scenario: Scenario(auth: .token("t0ken"), jobs: [])).start(logger: .silent)
        defer { Task { await sim.stop() } }
        for path in ["/api/v2/projects/p/jobs", "/api/v3/projects/p/clusters", "/api/v3/projects/p/clusters/c/nodes"] {
            let refused = try await get(sim, path, headers: [HTTPHeader("X-Auth-Token", "wrong")])
            #expect(refused.status == 401 && String(decoding: refused.body, as: UTF8.self).contains("APIGW.0301"))
        }
        #expect(try await get(sim, "/api/v2/projects/p/jobs", headers: [HTTPHeader("X-Auth-Token", "t0ken")]).status == 200)
    }

    @Test func listingFaultsAnswerTheNthListingRequest() async throws {
        let sim = try await CCESimulator(scenario: Scenario.parse("""
            jobs: [{id: j1, type: CreateCluster, cluster_id: c-1, timeline: [{after: 0s, phase: Running}]}]
            faults:
              - {list: jobs, requests: [1], status: 503}
              - {list: clusters, requests: [2], truncate: true}
              - {list: nodes, requests: [1], status: 429, retry_after: 2s}
            """)).start(logger: .silent)
        defer { Task { await sim.stop() } }
        let client = try client(sim)
        #expect(await failure { () throws(CCEError) in try await client.listJobs() }?.isTransient == true)
        #expect(try await client.listJobs().count == 1)
        #expect(try await client.listClusters().count == 1)
        #expect(await failure { () throws(CCEError) in try await client.listClusters() }?.kind == .decoding)
        let throttled = await failure { () throws(CCEError) in try await client.listNodes(clusterID: "c-1") }
        #expect(throttled?.isThrottled == true && throttled?.retryAfter == .seconds(2))
        #expect(try await client.showJob("j1").phase == "Running", "listing faults leave ShowJob alone")

        let added = try await http.send(HTTPRequest(
            method: "POST", url: sim.endpoint + "/sim/faults", headers: [HTTPHeader("Content-Type", "application/json")],
            body: Data(#"{"list": "jobs", "requests": [3], "html": true}"#.utf8), timeout: .seconds(5)))
        #expect(added.status == 201 && String(decoding: added.body, as: UTF8.self) == #"{"list":"jobs"}"#)
        #expect(await failure { () throws(CCEError) in try await client.listJobs() }?.kind == .decoding)
    }

    @Test func scenarioListingKeysAreChecked() throws {
        let scenario = try Scenario.parse("""
            list_jobs: forbidden
            jobs: [{id: n, type: CreateNode, cluster_id: c, resource_id: node-7, timeline: [{after: 0s, phase: Running}]}]
            faults: [{list: nodes, requests: [1, 2], status: 503}]
            """)
        #expect(scenario.listJobs == .forbidden)
        #expect(scenario.jobs[0].resourceID == "node-7")
        #expect(scenario.faults[0].list == .nodes && scenario.faults[0].requests == [1, 2])
        #expect(try Scenario.parse("jobs: []").listJobs == .served)
        #expect(throws: ScenarioError.self) { try Scenario.parse("list_jobs: maybe") }
        #expect(throws: ScenarioError.self) { try Scenario.parse("faults: [{list: pods, requests: [1]}]") }
        #expect { try Scenario.parse("faults: [{list: jobs, job: j, requests: [1]}]") } throws: { error in
            "\(error)".contains("not both")
        }
    }
}
