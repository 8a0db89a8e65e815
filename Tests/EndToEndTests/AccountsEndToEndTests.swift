import CurlHTTP
import Foundation
import Testing
import TestSupport

/// One daemon, two CCE accounts (two simulators): each with its own poller and credential gate.
@Suite(.serialized) struct AccountsEndToEndTests {
    @Test func aLockedKeyInOneAccountNeverStopsTheOther() async throws {
        let good = try await Harness(scenario: """
            project_id: p1
            auth: {token: good-token}
            jobs:
              - id: job-a1
                type: CreateCluster
                cluster_id: c-a
                timeline: [{after: 0s, phase: Running}]
            """)
        let locked = try await Harness(scenario: """
            project_id: p1
            auth: {token: the-right-token}
            jobs:
              - id: job-b1
                type: CreateCluster
                cluster_id: c-b
                timeline: [{after: 0s, phase: Running}]
            """)
        let receiver = try LoopbackServer { _ in .status(200) }
        defer { receiver.stop() }
        let config = try good.dir.write("rules.yaml", """
            cce:
              - name: good
                region: cn-north-4
                endpoint: \(good.cceEndpoint)
                project_id: p1
                auth: {token: good-token}
              - name: locked
                region: cn-north-4
                endpoint: \(locked.cceEndpoint)
                project_id: p1
                auth: {token: a-wrong-token}
                watch: {jobs: [job-b1]}
            discover: {interval: 1s}
            poll: {interval: 200ms, max_rps: 200}
            state: {path: \(good.dir.file("state.sqlite"))}
            server: {listen: "127.0.0.1:0"}
            receivers:
              - name: chat
                url: \(receiver.url("/chat"))
                body: {job: "{{job.id}}", account: "{{cce.name}}", region: "{{cce.region}}"}
            rules:
              - name: failed
                match: {phase: Failed, level: job}
                notify: [chat]
            """)
        let daemon = try ChildProcess(jobhookBinary(), ["run", "-c", config])
        let line = await daemon.waitForLine(containing: "HTTP API listening", in: .stderr, timeout: .seconds(20))
        let port = try #require(line.flatMap(apiPort), "stderr: \(daemon.stderr)")
        let api = "http://127.0.0.1:\(port)"
        _ = await daemon.waitForLine(containing: "job_id=job-a1", in: .stderr, timeout: .seconds(20))
        try await good.setPhase("job-a1", "Failed", reason: "quota")
        let alerted = await eventually(timeout: .seconds(20)) { !receiver.requests.isEmpty }
        try await Task.sleep(for: .seconds(3))  // the locked account's gate holds through several intervals

        let http = CurlClient()
        defer { http.shutdown() }
        func post(_ body: String) async throws -> (Int, [String: Any]) {
            let response = try await http.send(HTTPRequest(method: "POST", url: api + "/v1/watches",
                                                           headers: [HTTPHeader("Content-Type", "application/json")], body: Data(body.utf8)))
            return (response.status, (try? JSONSerialization.jsonObject(with: response.body) as? [String: Any]) ?? [:])
        }
        let unnamed = try await post(#"{"job_id": "job-a2"}"#)
        let unknown = try await post(#"{"job_id": "job-a2", "cce": "staging"}"#)
        let named = try await post(#"{"job_id": "job-a2", "cce": "good"}"#)
        let watches = try JSONSerialization.jsonObject(with: try await http.send(HTTPRequest(url: api + "/v1/watches")).body) as? [String: Any]
        let delivered = try JSONSerialization.jsonObject(
            with: try await http.send(HTTPRequest(url: api + "/v1/deliveries?state=delivered")).body) as? [String: Any]
        let lockedRequests = try await locked.served().total + (try await locked.listings()).values.reduce(0, +)
        let stopping = ContinuousClock.now
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit() == 0)
        let drained = ContinuousClock.now - stopping
        await good.stop()
        await locked.stop()

        #expect(alerted, "stderr: \(daemon.stderr)")
        #expect(drained < .seconds(5), "graceful shutdown took \(drained): \(daemon.stderr.suffix(3000))")
        #expect(receiver.requests.first?.bodyJSON as? [String: String] == ["job": "job-a1", "account": "good", "region": "cn-north-4"])
        // The simulator counts a refused listing but not a refused ShowJob, so whichever went first
        // shows as 1 or 0 here; the daemon's own account of it is exact: one rejection, one stop.
        #expect(lockedRequests <= 1, "one failed authentication for the locked key, then its cool-down; not more")
        let stops = daemon.stderr.split(separator: "\n").filter { $0.contains("polling paused") && $0.contains("account=locked") }
        #expect(stops.count == 1, "\(stops)")
        #expect(!daemon.stderr.split(separator: "\n").contains { $0.contains("polling paused") && $0.contains("account=good") })
        #expect(unnamed.0 == 400 && (unnamed.1["error"] as? String ?? "").contains("good, locked"), "\(unnamed)")
        #expect(unknown.0 == 400 && (unknown.1["error"] as? String ?? "").contains("unknown account"), "\(unknown)")
        #expect(named.0 == 201 && named.1["cce"] as? String == "good", "\(named)")
        let byJob = Dictionary(((watches?["watches"] as? [[String: Any]]) ?? []).map { ($0["job_id"] as? String ?? "", $0["cce"] as? String ?? "") },
                               uniquingKeysWith: { a, _ in a })
        #expect(byJob["job-a1"] == "good" && byJob["job-b1"] == "locked" && byJob["job-a2"] == "good", "\(byJob)")
        #expect(((delivered?["deliveries"] as? [[String: Any]]) ?? []).first?["cce"] as? String == "good")
    }
}
