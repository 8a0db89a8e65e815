import CurlHTTP
import Foundation
import Testing
import TestSupport

/// The push path with real processes: `jobhook simulate` plays CCE and SMN (it signs with a key
/// made here by openssl), `jobhook run` pins that key's certificate, and a recording receiver gets
/// the failure alert of a job nobody named — found only because SMN pushed its CTS trace.
@Suite(.serialized) struct PushEndToEndTests {
    static let topic = "urn:smn:sim-region:p1:cce-events"

    @Test func aPushedJobIsWatchedAndItsFailureAlertedAndAReplayDoesNothing() async throws {
        let dir = try TempDirectory("jobhook-push")
        defer { dir.cleanUp() }
        let key = dir.file("smn-key.pem"), cert = dir.file("smn-cert.pem")
        try openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-subj", "/CN=push-e2e", "-days", "1"])
        let receiver = try LoopbackServer { _ in .status(200) }
        defer { receiver.stop() }

        // The simulator's port is chosen first: the daemon's config names it, the simulator's
        // scenario names the daemon's intake route, and the daemon starts first.
        var reserved: RefusingPort? = try RefusingPort()
        let port = try #require(reserved?.port)
        let cce = "http://127.0.0.1:\(port)"
        let config = try dir.write("rules.yaml", """
            cce: {region: cn-north-4, endpoint: "\(cce)", project_id: p1, auth: {token: t}}
            poll: {interval: 100ms, max_rps: 200}
            state: {path: \(dir.file("state.sqlite"))}
            server: {listen: "127.0.0.1:0", token: api-token}
            intake:
              smn:
                topics: ["\(Self.topic)"]
                cert_file: \(cert)
            receivers:
              - name: chat
                url: \(receiver.url("/chat"))
                body: {job: "{{job.id}}", phase: "{{event.to}}"}
                retry: {max_attempts: 20, initial_backoff: 50ms, max_backoff: 200ms}
            rules:
              - name: failed
                match: {phase: Failed, level: job}
                notify: [chat]
            """)
        let daemon = try ChildProcess(jobhookBinary(), ["run", "-c", config, "--log-level", "debug"])
        defer { daemon.signal(SIGKILL) }
        let listening = try #require(await daemon.waitForLine(containing: "HTTP API listening", in: .stderr), "\(daemon.stderr)")
        let api = "http://127.0.0.1:\(try #require(apiPort(listening)))"

        let scenario = try dir.write("scenario.yaml", """
            project_id: p1
            smn: {url: "\(api)/intake/smn", topic_urn: "\(Self.topic)", key_file: \(key), cert_file: \(dir.file("sim-cert.pem"))}
            jobs:
              - id: job-pushed
                type: CreateCluster
                cluster_id: c-1
                timeline:
                  - {after: 1s, phase: Running, subjobs: [{id: s1, type: InstallMaster, phase: Running}]}
                  - {after: 3s, phase: Failed, reason: quota, subjobs: [{id: s1, type: InstallMaster, phase: Failed}]}
              - id: job-replayed
                type: CreateNode
                cluster_id: c-1
                timeline: [{after: 600s, phase: Running}]
            """)
        reserved = nil  // released just before the simulator binds it
        let simulator = try ChildProcess(jobhookBinary(), ["simulate", "--scenario", scenario, "--listen", "127.0.0.1:\(port)"])
        defer { simulator.signal(SIGKILL) }
        #expect(await simulator.waitForLine(containing: "listening on") != nil, "\(simulator.stderr)")

        let alerted = await eventually(timeout: .seconds(30)) { receiver.requests.contains { $0.bodyText.contains("job-pushed") } }
        #expect(alerted, "daemon: \(daemon.stderr)\nsimulator: \(simulator.stderr)")
        let http = CurlClient()
        defer { http.shutdown() }
        let watch = try await http.send(HTTPRequest(url: api + "/v1/watches/job-pushed", headers: [HTTPHeader("Authorization", "Bearer api-token")]))
        #expect(String(decoding: watch.body, as: UTF8.self).contains(#""source":"smn""#))
        let stats = try JSONSerialization.jsonObject(with: try await http.send(HTTPRequest(url: cce + "/sim/stats")).body) as? [String: Any]
        #expect((stats?["smn"] as? [String: Int])?["confirmed"] == 1, "jobhook confirmed the subscription by GET: \(String(describing: stats))")

        // A message SMN sends twice: acted on once, then acknowledged as a duplicate.
        let published = try await http.send(HTTPRequest(
            method: "POST", url: cce + "/sim/smn/publish", headers: [HTTPHeader("Content-Type", "application/json")],
            body: Data(#"{"job_id": "job-replayed", "send": false}"#.utf8)))
        let envelope = try #require((try JSONSerialization.jsonObject(with: published.body) as? [String: Any])?["envelope"])
        let body = try JSONSerialization.data(withJSONObject: envelope)
        var outcomes: [String] = []
        for _ in 0..<2 {
            let answer = try await http.send(HTTPRequest(method: "POST", url: api + "/intake/smn",
                                                         headers: [HTTPHeader("Content-Type", "application/json")], body: body))
            #expect(answer.status == 200)
            outcomes.append(((try? JSONSerialization.jsonObject(with: answer.body)) as? [String: Any])?["status"] as? String ?? "?")
        }
        #expect(outcomes == ["watched", "duplicate"])

        // A forged message changes nothing and its body is not logged.
        var forged = try #require(envelope as? [String: Any])
        forged["message"] = #"{"service_type":"CCE","trace_name":"createCluster","response":"{\"jobID\":\"FORGED-JOB\"}"}"#
        forged["message_id"] = "forged-1"
        let refused = try await http.send(HTTPRequest(method: "POST", url: api + "/intake/smn",
                                                      headers: [HTTPHeader("Content-Type", "application/json")],
                                                      body: try JSONSerialization.data(withJSONObject: forged)))
        #expect(refused.status == 403)
        let metrics = String(decoding: try await http.send(HTTPRequest(url: api + "/metrics")).body, as: UTF8.self)
        #expect(metrics.contains(#"jobhook_intake_messages_total{type="Notification",outcome="refused"} 1"#), "\(metrics)")
        #expect(metrics.contains(#"jobhook_intake_messages_total{type="SubscriptionConfirmation",outcome="confirmed"} 1"#))

        try await Task.sleep(for: .milliseconds(500))
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit() == 0)
        let alerts = receiver.requests.filter { $0.bodyText.contains("job-pushed") }
        #expect(Set(alerts.compactMap { $0.header("webhook-id") }).count == 1, "one alert for the pushed job")
        #expect(!daemon.stderr.contains("FORGED-JOB"), "the refused body is never logged")
        #expect(daemon.stderr.contains("reason=bad_signature"))
    }

    func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw HarnessError("openssl \(arguments.first ?? "") failed") }
    }
}
