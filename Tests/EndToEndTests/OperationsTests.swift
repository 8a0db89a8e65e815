import CurlHTTP
import Foundation
import Synchronization
import Testing
import TestSupport

/// What an operator relies on: /metrics matching what happened, SIGHUP reloads, SIGTERM drains.
@Suite(.serialized) struct OperationsTests {
    static let scenario = """
        project_id: p1
        jobs:
          - id: job-fail
            type: CreateCluster
            timeline:
              - {after: 0s, phase: Running, subjobs: [{id: job-fail-master, type: InstallMaster, phase: Running}]}
              - {after: 2s, phase: Failed, reason: quota, subjobs: [{id: job-fail-master, type: InstallMaster, phase: Failed, reason: quota}]}
          - id: job-ok
            type: CreateCluster
            timeline:
              - {after: 0s, phase: Running}
              - {after: 2s, phase: Success}
        """

    func get(_ url: String) async throws -> HTTPResponse {
        let http = CurlClient()
        defer { http.shutdown() }
        return try await http.send(HTTPRequest(url: url))
    }

    @Test func metricsCountChangesAttemptsAndFinalOutcomes() async throws {
        // Both jobs stay Running until the daemon has seen them; then they finish, so the count of
        // changes does not depend on when the first poll lands.
        let harness = try await Harness(scenario: Self.scenario.replacingOccurrences(of: "after: 2s", with: "after: 1h"))
        let good = try LoopbackServer { _ in .status(200) }
        let bad = try LoopbackServer { _ in .status(400) }
        defer { good.stop(); bad.stop() }
        let config = try harness.writeConfig(
            receivers: """
              - name: chat
                url: \(good.url("/chat"))
              - name: broken
                url: \(bad.url("/x"))
            """,
            rules: """
              - name: failed
                match: {phase: Failed, level: job}
                notify: [chat, broken]
              - name: ready
                match: {phase: Success, level: job}
                notify: [chat]
            """,
            watch: ["job-fail", "job-ok"])
        let daemon = try harness.startDaemon(config: config)
        defer { daemon.signal(SIGKILL) }
        let line = try #require(await daemon.waitForLine(containing: "HTTP API listening", in: .stderr))
        let port = try #require(apiPort(line))
        #expect(await eventually(timeout: .seconds(20)) {
            let served = (try? await harness.served().jobs) ?? [:]
            return served["job-fail", default: 0] >= 1 && served["job-ok", default: 0] >= 1
        })
        try await harness.setPhase("job-fail-master", "Failed", reason: "quota")
        try await harness.setPhase("job-fail", "Failed", reason: "quota")
        try await harness.setPhase("job-ok", "Success")
        #expect(await eventually(timeout: .seconds(20)) { good.requests.count == 2 && bad.requests.count == 1 })
        try await Task.sleep(for: .milliseconds(300))
        let text = String(decoding: try await get("http://127.0.0.1:\(port)/metrics").body, as: UTF8.self)
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit() == 0)
        await harness.stop()

        func value(_ series: String) -> Double? {
            text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.split(separator: " ").last!) }
        }
        // 2 jobs + 1 sub-job first seen, then 2 jobs and 1 sub-job changing: 6 changes in all.
        let changes = text.split(separator: "\n").filter { $0.hasPrefix("jobhook_phase_changes_total{") }
            .compactMap { Double($0.split(separator: " ").last!) }.reduce(0, +)
        #expect(changes == 6, "\(text)")
        #expect(value(#"jobhook_rule_matches_total{rule="failed"}"#) == 2)
        #expect(value(#"jobhook_rule_matches_total{rule="ready"}"#) == 1)
        #expect(value(#"jobhook_deliveries_total{receiver="chat",result="delivered"}"#) == 2)
        #expect(value(#"jobhook_deliveries_total{receiver="broken",result="dead"}"#) == 1)
        #expect(value(#"jobhook_delivery_attempts_total{receiver="broken",outcome="permanent"}"#) == 1)
        #expect(text.contains("jobhook_polls_total{outcome=\"ok\"}"))
        #expect(text.contains("jobhook_delivery_latency_seconds_count"))
    }

    @Test func sighupAppliesAValidConfigAndKeepsTheOldOneOnError() async throws {
        let harness = try await Harness(scenario: """
            project_id: p1
            jobs:
              - id: job-late
                type: CreateCluster
                timeline:
                  - {after: 0s, phase: Running}
                  - {after: 1h, phase: Success}
            """)
        let receiver = try LoopbackServer { _ in .status(200) }
        defer { receiver.stop() }
        let receivers = """
              - name: first
                url: \(receiver.url("/first"))
              - name: second
                url: \(receiver.url("/second"))
            """
        func rules(_ target: String) -> String {
            """
              - name: ready
                match: {phase: Success, level: job}
                notify: [\(target)]
            """
        }
        let config = try harness.writeConfig(receivers: receivers, rules: rules("first"), watch: ["job-late"])
        let daemon = try harness.startDaemon(config: config)
        defer { daemon.signal(SIGKILL) }
        let line = try #require(await daemon.waitForLine(containing: "HTTP API listening", in: .stderr))
        let port = try #require(apiPort(line))
        // A broken file: logged, old config stays — by SIGHUP and by POST /-/reload alike.
        try "rules: [this is not: valid".write(toFile: config, atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        #expect(await daemon.waitForLine(containing: "reload failed", in: .stderr, timeout: .seconds(10)) != nil)
        let http = CurlClient()
        defer { http.shutdown() }
        let refused = try await http.send(HTTPRequest(method: "POST", url: "http://127.0.0.1:\(port)/-/reload"))
        #expect(refused.status == 400)
        #expect(String(decoding: refused.body, as: UTF8.self).contains("rules.yaml:2:1: YAML syntax error"))
        // A valid file that sends to `second` instead.
        _ = try harness.writeConfig(receivers: receivers, rules: rules("second"), watch: ["job-late"])
        daemon.signal(SIGHUP)
        #expect(await daemon.waitForLine(containing: "config reloaded", in: .stderr, timeout: .seconds(10)) != nil)
        try await harness.setPhase("job-late", "Success")  // only now, however slow the machine was so far
        #expect(await eventually(timeout: .seconds(20)) { receiver.requests.count == 1 })
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit() == 0)
        await harness.stop()
        #expect(receiver.requests.map(\.path) == ["/second"])
        #expect(daemon.isRunning == false)
    }

    @Test func sigtermDuringSlowDeliveryExitsInTimeAndDeliversAfterRestart() async throws {
        let harness = try await Harness(scenario: Self.scenario)
        let slow = Mutex(true)
        let receiver = try LoopbackServer { _ in slow.withLock { $0 } ? .delay(.seconds(60), then: .status(200)) : .status(200) }
        defer { receiver.stop() }
        let config = try harness.writeConfig(
            receivers: """
              - name: chat
                url: \(receiver.url("/chat"))
                timeout: 60s
            """,
            rules: """
              - name: ready
                match: {phase: Success, level: job}
                notify: [chat]
            """,
            watch: ["job-ok"])
        let first = try harness.startDaemon(config: config)
        #expect(await eventually(timeout: .seconds(20)) { receiver.requests.count == 1 })
        let start = ContinuousClock.now
        first.signal(SIGTERM)
        let status = await first.waitForExit(timeout: .seconds(25))
        let took = ContinuousClock.now - start
        #expect(status == 0, "\(first.stderr.suffix(3000))")
        #expect(took < .seconds(20), "the drain deadline bounds shutdown (took \(took))")
        let pending = try await harness.run(["deliveries", "list", "-c", config])
        #expect(pending.stdout.contains("pending"), "\(pending.stdout)\(pending.stderr)")
        slow.withLock { $0 = false }
        let second = try harness.startDaemon(config: config)
        #expect(await eventually(timeout: .seconds(20)) { receiver.requests.count == 2 })
        second.signal(SIGTERM)
        #expect(await second.waitForExit() == 0)
        await harness.stop()
        #expect(Set(receiver.requests.compactMap { $0.header("webhook-id") }).count == 1)
    }
}
