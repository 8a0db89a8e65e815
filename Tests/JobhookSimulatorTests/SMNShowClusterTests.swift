import CurlHTTP
import Foundation
import JobhookSimulator
import Testing
import TestSupport

/// ShowCluster, where jobhook looks up the job behind a CTS trace whose `response` is empty: one
/// ListClusters item, with `status.jobID` while a CreateCluster or DeleteCluster job works.
@Suite("Simulated ShowCluster")
struct SMNShowClusterTests {
    let http = CurlClient()

    /// speed 10: the create ends after 0.6 s of real time.
    static let yaml = """
        project_id: p123
        speed: 10
        auth: {token: t}
        jobs:
          - {id: job-create, type: CreateCluster, cluster_id: c-1, resource_name: prod, timeline: [{after: 0s, phase: Running}, {after: 6s, phase: Success}]}
          - {id: job-later, type: CreateCluster, cluster_id: c-9, timeline: [{after: 1h, phase: Running}]}
        faults:
          - {list: show_cluster, requests: [2], status: 503}
        """

    func show(_ sim: RunningSimulator, _ cluster: String, project: String = "p123", token: String? = "t") async throws -> HTTPResponse {
        try await http.send(HTTPRequest(url: sim.endpoint + "/api/v3/projects/\(project)/clusters/\(cluster)",
                                        headers: token.map { [HTTPHeader("X-Auth-Token", $0)] } ?? [], timeout: .seconds(10)))
    }

    @Test func showClusterNamesTheJobWhileItWorksAnd404sOtherwise() async throws {
        let started = ContinuousClock.now
        let sim = try await CCESimulator(scenario: try Scenario.parse(Self.yaml)).start(logger: .silent)
        defer { Task { await sim.stop() } }

        let working = try await show(sim, "c-1")
        if ContinuousClock.now - started < .milliseconds(550) {
            #expect(working.status == 200)
            let cluster = try SMNOpenSSL.object(working.body)
            #expect(cluster["kind"] as? String == "Cluster")
            #expect((cluster["metadata"] as? [String: Any])?["uid"] as? String == "c-1")
            #expect((cluster["metadata"] as? [String: Any])?["name"] as? String == "prod")
            #expect(cluster["status"] as? [String: String] == ["phase": "Creating", "jobID": "job-create"])
        }
        #expect(try await show(sim, "c-1").status == 503, "the second request's scripted fault")

        #expect(try await show(sim, "c-9").status == 404, "not begun")
        let missing = try await show(sim, "c-nope")
        #expect(missing.status == 404)
        #expect(try SMNOpenSSL.object(missing.body)["errorCode"] as? String == "CCE.01404001")
        #expect(try await show(sim, "c-1", project: "other").status == 404)
        #expect(try await show(sim, "c-1", token: nil).status == 401)

        try await Task.sleep(until: started + .milliseconds(800), clock: .continuous)
        let done = try SMNOpenSSL.object(try await show(sim, "c-1").body)
        #expect(done["status"] as? [String: String] == ["phase": "Available"], "no job ID once the job ended")
        #expect(await sim.simulator.stats().listings["show_cluster"] == 7)
    }
}
