import CurlHTTP
import Foundation
import Synchronization
import Testing
import TestSupport

/// SIGKILL at the moments that matter, then restart on the same SQLite file: nothing lost, and a
/// repeat only for a request that was in flight, always under the same webhook-id.
@Suite(.serialized) struct CrashSafetyTests {
    static func scenario(successAfter: String) -> String {
        """
        project_id: p1
        jobs:
          - id: job-ok
            type: CreateCluster
            resource_name: beta
            cluster_id: c-ok
            timeline:
              - {after: 0s, phase: Running, subjobs: [{id: job-ok-master, type: InstallMaster, phase: Running}]}
              - {after: \(successAfter), phase: Success, subjobs: [{id: job-ok-master, type: InstallMaster, phase: Success}]}
        """
    }

    func config(_ harness: Harness, receiver: LoopbackServer, timeout: String = "15s") throws -> String {
        try harness.writeConfig(
            receivers: """
              - name: pipeline
                url: \(receiver.url("/hook"))
                timeout: \(timeout)
                retry: {max_attempts: 10, initial_backoff: 100ms, max_backoff: 200ms, max_age: 5m}
            """,
            rules: """
              - name: cluster-ready
                match: {type: CreateCluster, phase: Success, level: job}
                notify: [pipeline]
            """,
            watch: ["job-ok"])
    }

    @Test func killWhileReceiverIsSlowRedeliversUnderTheSameWebhookID() async throws {
        let harness = try await Harness(scenario: Self.scenario(successAfter: "200ms"))
        let slow = Mutex(true)
        let receiver = try LoopbackServer { _ in slow.withLock { $0 } ? .hang : .status(200) }
        defer { receiver.stop() }
        let config = try config(harness, receiver: receiver)
        let first = try harness.startDaemon(config: config)
        #expect(await eventually(timeout: .seconds(20)) { receiver.requests.count == 1 }, "stderr: \(first.stderr)")
        await first.kill9()
        slow.withLock { $0 = false }
        let second = try harness.startDaemon(config: config)
        #expect(await eventually(timeout: .seconds(20)) { receiver.requests.count == 2 }, "stderr: \(second.stderr)")
        try await Task.sleep(for: .milliseconds(800))
        second.signal(SIGTERM)
        #expect(await second.waitForExit() == 0)
        await harness.stop()
        let ids = receiver.requests.compactMap { $0.header("webhook-id") }
        #expect(ids.count == 2)
        #expect(Set(ids).count == 1, "the in-flight request is repeated under the same webhook-id")
    }

    @Test func killJustAfterDeliveryDoesNotRepeatIt() async throws {
        let harness = try await Harness(scenario: Self.scenario(successAfter: "200ms"))
        let receiver = try LoopbackServer { _ in .status(200) }
        defer { receiver.stop() }
        let config = try config(harness, receiver: receiver)
        let first = try harness.startDaemon(config: config)
        #expect(await eventually(timeout: .seconds(20)) { receiver.requests.count == 1 })
        try await Task.sleep(for: .milliseconds(300)) // the outcome is written right after the answer
        await first.kill9()
        let second = try harness.startDaemon(config: config)
        try await Task.sleep(for: .seconds(2))
        second.signal(SIGTERM)
        #expect(await second.waitForExit() == 0)
        await harness.stop()
        #expect(receiver.requests.count == 1, "stderr: \(second.stderr)")
    }

    @Test func jobThatChangesWhileDaemonIsDownIsDeliveredAfterRestart() async throws {
        let harness = try await Harness(scenario: Self.scenario(successAfter: "3s"))
        let receiver = try LoopbackServer { _ in .status(200) }
        defer { receiver.stop() }
        let config = try config(harness, receiver: receiver)
        let first = try harness.startDaemon(config: config)
        // Let it record the Running phase, then take it down before the job succeeds.
        #expect(await eventually(timeout: .seconds(10)) {
            (try? await harness.run(["deliveries", "list", "-c", config]))?.status == 0
        })
        try await Task.sleep(for: .milliseconds(800))
        await first.kill9()
        #expect(receiver.requests.isEmpty)
        try await Task.sleep(for: .seconds(3)) // the job succeeds on the simulator meanwhile
        let second = try harness.startDaemon(config: config)
        #expect(await eventually(timeout: .seconds(20)) { receiver.requests.count == 1 }, "stderr: \(second.stderr)")
        try await Task.sleep(for: .milliseconds(800))
        second.signal(SIGTERM)
        #expect(await second.waitForExit() == 0)
        await harness.stop()
        #expect(receiver.requests.count == 1)
    }

    @Test func cleanRestartDeliversNothingTwiceAndReAddingAFinishedJobDoesNotRefire() async throws {
        let harness = try await Harness(scenario: Self.scenario(successAfter: "200ms"))
        let receiver = try LoopbackServer { _ in .status(200) }
        defer { receiver.stop() }
        let config = try config(harness, receiver: receiver)
        let first = try harness.startDaemon(config: config)
        #expect(await eventually(timeout: .seconds(20)) { receiver.requests.count == 1 })
        try await Task.sleep(for: .milliseconds(500))
        first.signal(SIGTERM)
        #expect(await first.waitForExit() == 0)
        let second = try harness.startDaemon(config: config)
        let line = try #require(await second.waitForLine(containing: "HTTP API listening", in: .stderr, timeout: .seconds(10)))
        let port = try #require(apiPort(line))
        let http = CurlClient()
        defer { http.shutdown() }
        let response = try await http.send(HTTPRequest(
            method: "POST", url: "http://127.0.0.1:\(port)/v1/watches", headers: [HTTPHeader("Content-Type", "application/json")],
            body: Data(#"{"job_id":"job-ok"}"#.utf8)))
        #expect(response.status == 200)
        try await Task.sleep(for: .seconds(1.5))
        second.signal(SIGTERM)
        #expect(await second.waitForExit() == 0)
        await harness.stop()
        #expect(receiver.requests.count == 1)
    }
}

/// The port in a log line like `… HTTP API listening address=127.0.0.1:41234 …`.
func apiPort(_ line: String) -> Int? {
    guard let range = line.range(of: "address=") else { return nil }
    let address = line[range.upperBound...].prefix { !$0.isWhitespace }
    return address.split(separator: ":").last.flatMap { Int($0) }
}
