import CurlHTTP
import Foundation
import Synchronization
import Testing
import TestSupport

/// `jobhook run` as a process against `jobhook simulate` and recording receivers.
@Suite(.serialized) struct RunEndToEndTests {
    /// Quotes, backslash, newline, markup and Chinese: must arrive verbatim inside JSON.
    static let nastyReason = #"quota "ecs" \ exceeded <b>&</b>"# + "\n第二行: 配额不足"

    static let scenario = """
        project_id: p1
        jobs:
          - id: job-fail
            type: CreateCluster
            resource_name: alpha
            cluster_id: c-fail
            timeline:
              - {after: 0s, phase: Running, subjobs: [{id: job-fail-master, type: InstallMaster, phase: Running}]}
              - after: 400ms
                phase: Failed
                reason: \(jsonString(nastyReason))
                subjobs: [{id: job-fail-master, type: InstallMaster, phase: Failed, reason: "disk full"}]
          - id: job-ok
            type: CreateCluster
            resource_name: beta
            cluster_id: c-ok
            timeline:
              - {after: 0s, phase: Running, subjobs: [{id: job-ok-master, type: InstallMaster, phase: Running}]}
              - {after: 400ms, phase: Success, subjobs: [{id: job-ok-master, type: InstallMaster, phase: Success}]}
        """

    static func jsonString(_ text: String) -> String {
        String(decoding: try! JSONEncoder().encode(text), as: UTF8.self)
    }

    @Test func failedCreateClusterSendsOneAlertWithVerbatimReasonAndSuccessOneTrigger() async throws {
        let harness = try await Harness(scenario: Self.scenario)
        let receiver = try LoopbackServer { _ in .status(200) }
        defer { receiver.stop() }
        let config = try harness.writeConfig(
            receivers: """
              - name: chat
                url: \(receiver.url("/chat"))
                body: {text: "{{job.reason}}", job: "{{job.id}}"}
              - name: pipeline
                url: \(receiver.url("/pipeline"))
                body: {ref: main, variables: {CLUSTER_ID: "{{job.cluster_id}}", WEBHOOK_ID: "{{event.id}}"}}
              - name: subjobs
                url: \(receiver.url("/subjobs"))
                body: {text: "{{job.type}} {{event.to}}: {{job.reason}}"}
            """,
            rules: """
              - name: cluster-create-failed
                match: {type: CreateCluster, phase: Failed, level: job}
                notify: [chat]
              - name: cluster-ready
                match: {type: CreateCluster, phase: Success, level: job}
                notify: [pipeline]
              - name: subjob-failed
                match: {phase: Failed, level: subjob}
                notify: [subjobs]
            """,
            watch: ["job-fail", "job-ok"])
        let daemon = try harness.startDaemon(config: config)
        let arrived = await eventually(timeout: .seconds(30)) { receiver.requests.count >= 3 }
        try await Task.sleep(for: .milliseconds(800)) // room for any duplicate to show up
        daemon.signal(SIGTERM)
        let status = await daemon.waitForExit()
        await harness.stop()
        #expect(arrived, "stderr: \(daemon.stderr)")
        #expect(status == 0)

        let chat = receiver.requests.filter { $0.path == "/chat" }
        let pipeline = receiver.requests.filter { $0.path == "/pipeline" }
        let subjobs = receiver.requests.filter { $0.path == "/subjobs" }
        #expect(chat.count == 1)
        #expect(pipeline.count == 1)
        #expect(subjobs.count == 1)
        let alert = try #require(chat.first?.bodyJSON as? [String: String])
        #expect(alert["text"] == Self.nastyReason)
        #expect(alert["job"] == "job-fail")
        let trigger = try #require(pipeline.first?.bodyJSON as? [String: Any])
        let variables = try #require(trigger["variables"] as? [String: String])
        #expect(variables["CLUSTER_ID"] == "c-ok")
        #expect(variables["WEBHOOK_ID"] == pipeline.first?.header("webhook-id"))
        #expect(subjobs.first?.bodyJSON as? [String: String] == ["text": "InstallMaster Failed: disk full"])
        #expect(chat.first?.header("User-Agent")?.hasPrefix("jobhook/") == true)
        #expect(chat.first?.header("Content-Type") == "application/json")
    }

    @Test func serviceUnavailableThreeTimesThenOKGivesFourAttemptsWithOneWebhookID() async throws {
        let harness = try await Harness(scenario: Self.scenario)
        let arrivals = Mutex<[Date]>([])
        let receiver = try LoopbackServer { request in
            let n = arrivals.withLock { $0.append(Date()); return $0.count }
            return n <= 3 ? .status(503, headers: [HTTPHeader("Retry-After", "1")]) : .status(200)
        }
        defer { receiver.stop() }
        let config = try harness.writeConfig(
            receivers: """
              - name: pipeline
                url: \(receiver.url("/hook"))
                retry: {max_attempts: 6, initial_backoff: 50ms, max_backoff: 100ms, max_age: 1m}
            """,
            rules: """
              - name: cluster-ready
                match: {type: CreateCluster, phase: Success, level: job}
                notify: [pipeline]
            """,
            watch: ["job-ok"])
        let daemon = try harness.startDaemon(config: config)
        let done = await eventually(timeout: .seconds(30)) { receiver.requests.count >= 4 }
        try await Task.sleep(for: .milliseconds(500))
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit() == 0)
        await harness.stop()
        #expect(done, "stderr: \(daemon.stderr)")
        let requests = receiver.requests
        #expect(requests.count == 4)
        #expect(Set(requests.compactMap { $0.header("webhook-id") }).count == 1)
        let times = arrivals.withLock { $0 }
        for (a, b) in zip(times, times.dropFirst()) {
            #expect(b.timeIntervalSince(a) >= 0.95, "Retry-After: 1 must space attempts by a second")
        }
    }

    @Test func badRequestIsNotRetriedAndIsListedAsDeadLetter() async throws {
        let harness = try await Harness(scenario: Self.scenario)
        let receiver = try LoopbackServer { _ in .json(#"{"message":"invalid ref"}"#, status: 400) }
        defer { receiver.stop() }
        let config = try harness.writeConfig(
            receivers: """
              - name: pipeline
                url: \(receiver.url("/hook"))
            """,
            rules: """
              - name: cluster-ready
                match: {type: CreateCluster, phase: Success, level: job}
                notify: [pipeline]
            """,
            watch: ["job-ok"])
        let daemon = try harness.startDaemon(config: config)
        let sent = await eventually(timeout: .seconds(30)) { receiver.requests.count >= 1 }
        // The dead letter is recorded just after the answer; on a busy machine that takes a moment.
        var listing = try await harness.run(["deliveries", "list", "--dead", "-c", config])
        let deadline = ContinuousClock.now + Duration.seconds(20).scaledForTests
        while !listing.stdout.contains("dead"), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
            listing = try await harness.run(["deliveries", "list", "--dead", "-c", config])
        }
        try await Task.sleep(for: .milliseconds(300))  // a retry, were there one, would show up now
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit() == 0)
        await harness.stop()
        #expect(sent)
        #expect(receiver.requests.count == 1)
        #expect(listing.status == 0)
        #expect(listing.stdout.contains("HTTP 400"), "deliveries list: \(listing.stdout) \(listing.stderr)")
        #expect(listing.stdout.contains("dead"))
    }
}
