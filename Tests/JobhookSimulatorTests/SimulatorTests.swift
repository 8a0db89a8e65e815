import CCE
import CurlHTTP
import Foundation
import JobhookSimulator
import Testing
import TestSupport

@Suite("CCE simulator")
struct SimulatorTests {
    let http = CurlClient()

    static let scenarioYAML = """
        project_id: p123
        jobs:
          - id: job-ok
            type: CreateCluster
            resource_name: demo
            cluster_id: c-1
            timeline:
              - {after: 0ms, phase: Running, subjobs: [{id: s1, type: InstallMaster, phase: Running}]}
              - {after: 3s, phase: Success, subjobs: [{id: s1, type: InstallMaster, phase: Success}]}
          - id: job-later
            type: CreateNode
            timeline:
              - {after: 1h, phase: Running}
        faults:
          - {job: job-ok, requests: [2], status: 503}
          - {job: job-ok, requests: [3], truncate: true}
          - {job: job-ok, requests: [4], html: true}
          - {job: job-ok, requests: [5], status: 429, retry_after: 3s}
        """

    func get(_ sim: RunningSimulator, _ path: String, headers: [HTTPHeader] = []) async throws -> HTTPResponse {
        try await http.send(HTTPRequest(url: sim.endpoint + path, headers: headers, timeout: .seconds(5)))
    }

    func post(_ sim: RunningSimulator, _ path: String, _ json: String) async throws -> HTTPResponse {
        try await http.send(HTTPRequest(method: "POST", url: sim.endpoint + path,
                                        headers: [HTTPHeader("Content-Type", "application/json")],
                                        body: Data(json.utf8), timeout: .seconds(5)))
    }

    @Test func servesTheScriptedTimelineAsCCEJobDocuments() async throws {
        let beforeStart = ContinuousClock.now  // the scenario's clock starts between these two
        let sim = try await CCESimulator(scenario: Scenario.parse(Self.scenarioYAML)).start(logger: .silent)
        let started = ContinuousClock.now
        defer { Task { await sim.stop() } }
        let first = try await get(sim, "/api/v3/projects/p123/jobs/job-ok")
        #expect(first.status == 200)
        #expect(first.header("X-Request-Id")?.count == 32)
        let job = try Job.decode(first.body)
        #expect(job.uid == "job-ok")
        #expect(job.type == "CreateCluster")
        #expect(job.resourceName == "demo")
        #expect(job.clusterID == "c-1")
        if ContinuousClock.now - beforeStart < .milliseconds(2900) { // a busy machine may reach us late
            #expect(job.phase == "Running")
        }
        #expect(job.subJobs.map(\.uid) == ["s1"])
        #expect(job.createdAt != nil)

        try await Task.sleep(until: started + .milliseconds(3100), clock: .continuous)
        for _ in 2...5 { _ = try await get(sim, "/api/v3/projects/p123/jobs/job-ok") }  // the scripted faults
        let later = try Job.decode(try await get(sim, "/api/v3/projects/p123/jobs/job-ok").body)
        #expect(later.phase == "Success")
        #expect(later.isFinished)
    }

    @Test func unknownJobsAndJobsNotStartedYetAnswer404InCCEShape() async throws {
        let sim = try await CCESimulator(scenario: Scenario.parse(Self.scenarioYAML)).start(logger: .silent)
        defer { Task { await sim.stop() } }
        for path in ["/api/v3/projects/p123/jobs/nope", "/api/v3/projects/p123/jobs/job-later",
                     "/api/v3/projects/other/jobs/job-ok"] {
            let answer = try await get(sim, path)
            #expect(answer.status == 404)
            #expect(String(decoding: answer.body, as: UTF8.self).contains("\"errorCode\":\"CCE.01404001\""))
            #expect(answer.header("X-Request-Id") != nil)
        }
    }

    @Test func expireAfterAnswers404FromThenOn() async throws {
        let sim = try await CCESimulator(scenario: Scenario.parse("""
            jobs:
              - {id: gone, type: CreateCluster, expire_after: 0s, timeline: [{after: 0s, phase: Success}]}
              - {id: kept, type: CreateCluster, expire_after: 1h, timeline: [{after: 0s, phase: Success}]}
            """)).start(logger: .silent)
        defer { Task { await sim.stop() } }
        #expect(try await get(sim, "/api/v3/projects/p123/jobs/gone").status == 404)
        #expect(try await get(sim, "/api/v3/projects/p123/jobs/kept").status == 200)
    }

    @Test func subJobIDsCanBeQueriedToo() async throws {
        let sim = try await CCESimulator(scenario: Scenario.parse(Self.scenarioYAML)).start(logger: .silent)
        defer { Task { await sim.stop() } }
        let answer = try await get(sim, "/api/v3/projects/p123/jobs/s1")
        #expect(answer.status == 200)
        #expect(try Job.decode(answer.body).type == "InstallMaster")
    }

    @Test func scriptedFaultsAnswerTheNthRequests() async throws {
        let sim = try await CCESimulator(scenario: Scenario.parse(Self.scenarioYAML)).start(logger: .silent)
        defer { Task { await sim.stop() } }
        var answers: [HTTPResponse] = []
        for _ in 1...6 { answers.append(try await get(sim, "/api/v3/projects/p123/jobs/job-ok")) }
        #expect(answers.map(\.status) == [200, 503, 200, 200, 429, 200])
        #expect(throws: JobDecodingError("truncated JSON")) { try Job.decode(answers[2].body) }
        #expect(throws: JobDecodingError("HTML page, not JSON")) { try Job.decode(answers[3].body) }
        #expect(answers[4].header("Retry-After") == "3")
        #expect(String(decoding: answers[4].body, as: UTF8.self).contains("APIGW.0308"))
        #expect(await sim.simulator.stats().jobs["job-ok"] == 6)
    }

    @Test func slowAnswerFaultDelaysTheResponse() async throws {
        let scenario = Scenario(jobs: [.init(id: "j", type: "CreateNode", timeline: [.init(after: .zero, phase: "Running")])],
                                faults: [.init(job: "j", requests: [1], delay: .seconds(3))])
        let sim = try await CCESimulator(scenario: scenario).start(logger: .silent)
        defer { Task { await sim.stop() } }
        await #expect(throws: HTTPError.self) {
            _ = try await http.send(HTTPRequest(url: sim.endpoint + "/api/v3/projects/p/jobs/j", timeout: .milliseconds(300)))
        }
        #expect(try await get(sim, "/api/v3/projects/p/jobs/j").status == 200)
    }

    @Test func controlAPIAddsJobsSetsPhasesAndCountsRequests() async throws {
        let sim = try await CCESimulator(scenario: Scenario(jobs: [])).start(logger: .silent)
        defer { Task { await sim.stop() } }
        let added = try await post(sim, "/sim/jobs", """
            {"id": "rt", "type": "DeleteCluster", "timeline": [{"after": "0s", "phase": "Running",
             "subjobs": [{"id": "rt-1", "type": "DeleteNode", "phase": "Running"}]}]}
            """)
        #expect(added.status == 201)
        #expect(try Job.decode(try await get(sim, "/api/v3/projects/p/jobs/rt").body).phase == "Running")

        let set = try await post(sim, "/sim/jobs/rt-1/phase", #"{"phase": "Failed", "reason": "node busy"}"#)
        #expect(set.status == 200)
        let tree = try Job.decode(try await get(sim, "/api/v3/projects/p/jobs/rt").body)
        #expect(tree.phase == "Running")
        #expect(tree.subJobs.first?.phase == "Failed")
        #expect(tree.subJobs.first?.reason == "node busy")
        #expect(try await post(sim, "/sim/jobs/ghost/phase", #"{"phase": "Failed"}"#).status == 404)

        #expect(try await post(sim, "/sim/faults", #"{"job": "rt", "requests": [3], "status": 502}"#).status == 201)
        #expect(try await get(sim, "/api/v3/projects/p/jobs/rt").status == 502)

        let stats = try JSONDecoder().decode(SimulatorStats.self, from: try await get(sim, "/sim/stats").body)
        #expect(stats.jobs["rt"] == 3)
        #expect(stats.total == 3)
    }

    @Test func builtInScenarioHasASuccessAFailureWithAQuotaReasonAndANodeCreation() {
        let scenario = Scenario.builtIn
        #expect(scenario.jobIDs == ["job-create-ok", "job-create-quota", "job-create-node"])
        let failed = scenario.jobs[1].timeline.last
        #expect(failed?.phase == "Failed")
        #expect(failed?.subjobs.contains { $0.type == "InstallMaster" && $0.reason == "insufficient quota: ecs instances" } == true)
        #expect(scenario.jobs[2].type == "CreateNode")
    }

    @Test func scenarioFileLoadsAndBadFilesNameTheProblem() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("good.yaml").path
        try Self.scenarioYAML.write(toFile: good, atomically: true, encoding: .utf8)
        let scenario = try Scenario.load(path: good)
        #expect(scenario.jobIDs == ["job-ok", "job-later"])
        #expect(scenario.jobs[0].timeline[1].after == .seconds(3))
        #expect(scenario.faults[3].retryAfter == .seconds(3))

        let bad = dir.appendingPathComponent("bad.yaml").path
        try "jobs:\n  - id: x\n    timeline: [{after: soon, phase: Running}]\n".write(toFile: bad, atomically: true, encoding: .utf8)
        #expect { try Scenario.load(path: bad) } throws: { error in
            "\(error)".contains("bad.yaml") && "\(error)".contains("soon")
        }
        #expect { try Scenario.load(path: dir.appendingPathComponent("missing.yaml").path) } throws: { error in
            "\(error)".contains("missing.yaml")
        }
    }
}
