import Foundation
import Testing
import TestSupport

/// `jobhook deliveries list|retry|drop` on a real dead letter, as an operator runs them (README:
/// Commands, Delivery).
@Suite struct DeliveriesEndToEndTests {
    static let scenario = """
        project_id: p1
        jobs:
          - id: job-ok
            type: CreateCluster
            timeline:
              - {after: 0s, phase: Running}
              - {after: 200ms, phase: Success}
        """

    /// Deliveries as `list --json` prints them: one object per line.
    static func objects(_ text: String) -> [[String: Any]] {
        text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// Runs the daemon until job-ok's Success was sent once to a receiver answering `status`, then
    /// stops it and the simulator: the store stays, and the commands work on it offline.
    static func sendOnce(answering status: Int) async throws -> (harness: Harness, state: [String]) {
        let harness = try await Harness(scenario: scenario)
        let receiver = try LoopbackServer { _ in .status(status) }
        defer { receiver.stop() }
        let config = try harness.writeConfig(
            receivers: """
              - name: pipeline
                url: \(receiver.url("/hook"))
            """,
            rules: """
              - name: ready
                match: {phase: Success, level: job}
                notify: [pipeline]
            """,
            watch: ["job-ok"])
        let daemon = try harness.startDaemon(config: config)
        let sent = await eventually(timeout: .seconds(30)) { receiver.requests.count >= 1 }
        try await Task.sleep(for: .milliseconds(500))
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit() == 0)
        await harness.simulator.kill9()
        try #require(sent, "stderr: \(daemon.stderr)")
        return (harness, ["--state", harness.dir.file("state.sqlite")])
    }

    @Test func aDeadLetterIsListedRetriedAndDroppedByID() async throws {
        let (harness, state) = try await Self.sendOnce(answering: 400)
        defer { harness.dir.cleanUp() }
        let dead = try await harness.run(["deliveries", "list", "--dead", "--json"] + state)
        #expect(dead.status == 0)
        let id = try #require(Self.objects(dead.stdout).first?["id"] as? String, "\(dead.stdout) \(dead.stderr)")

        let retried = try await harness.run(["deliveries", "retry", id] + state)
        #expect(retried.status == 0, "\(retried.stderr)")
        #expect(retried.stdout.contains("\(id): queued"))
        let listed = try await harness.run(["deliveries", "--json"] + state)  // list is the default
        #expect(Self.objects(listed.stdout).map { $0["state"] as? String } == ["pending"], "\(listed.stdout)")

        let dropped = try await harness.run(["deliveries", "drop", id] + state)
        #expect(dropped.status == 0, "\(dropped.stderr)")
        let none = try await harness.run(["deliveries", "list", "--all"] + state)
        #expect(none.status == 0)
        #expect(none.stdout.contains("no deliveries"))

        let unknown = try await harness.run(["deliveries", "retry", id] + state)
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no delivery with id \(id)"))
        let missingID = try await harness.run(["deliveries", "drop"] + state)
        #expect(missingID.status == 2, "usage errors exit 2")
    }

    /// The sweep re-sent a delivered notification with a plain `retry`: that now needs `--force`.
    @Test func aDeliveredOneIsRetriedOnlyWithForce() async throws {
        let (harness, state) = try await Self.sendOnce(answering: 204)
        defer { harness.dir.cleanUp() }
        let all = try await harness.run(["deliveries", "list", "--all", "--json"] + state)
        let delivered = try #require(Self.objects(all.stdout).first { $0["state"] as? String == "delivered" }, "\(all.stdout)")
        let id = try #require(delivered["id"] as? String)

        let refused = try await harness.run(["deliveries", "retry", id] + state)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("was delivered already; add --force"), "\(refused.stderr)")
        let forced = try await harness.run(["deliveries", "retry", id, "--force"] + state)
        #expect(forced.status == 0, "\(forced.stderr)")
        let listed = try await harness.run(["deliveries", "--json"] + state)
        #expect(Self.objects(listed.stdout).map { $0["state"] as? String } == ["pending"], "\(listed.stdout)")
    }
}
