import Foundation
import Testing
import TestSupport

/// `jobhook silence add|list|expire` as an operator runs them, with a real daemon: a silence on c-1
/// mutes c-1's failure (kept as silenced) while c-2's goes out; a re-drive sends the muted one.
@Suite struct SilenceEndToEndTests {
    static let scenario = """
        project_id: p1
        jobs:
          - id: job-c1
            type: CreateCluster
            cluster_id: c-1
            timeline:
              - {after: 0s, phase: Running}
              - {after: 600ms, phase: Failed, reason: upgrade in progress}
          - id: job-c2
            type: CreateCluster
            cluster_id: c-2
            timeline:
              - {after: 0s, phase: Running}
              - {after: 600ms, phase: Failed, reason: quota}
        """

    @Test func aSilenceMutesItsClusterAndIsListedExpiredAndReDriven() async throws {
        let harness = try await Harness(scenario: Self.scenario)
        defer { harness.dir.cleanUp() }
        let receiver = try LoopbackServer { _ in .status(204) }
        defer { receiver.stop() }
        let config = try harness.writeConfig(
            receivers: "  - {name: chat, url: \(receiver.url("/hook"))}",
            rules: "  - {name: failed, match: {phase: Failed}, notify: [chat]}",
            watch: ["job-c1", "job-c2"])

        let bad = try await harness.run(["silence", "add", "--match", "cluster=c-1", "--for", "1h", "-c", config])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("unknown matcher key 'cluster'"), "\(bad.stderr)")
        let added = try await harness.run(["silence", "add", "--match", "cluster_id=c-1", "--for", "1h", "--comment", "node pool upgrade", "-c", config])
        #expect(added.status == 0, "\(added.stderr)")
        let id = added.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(id.hasPrefix("sil_"))
        let listed = try await harness.run(["silence", "list", "-c", config])
        #expect(listed.stdout.contains(id) && listed.stdout.contains("cluster_id=c-1") && listed.stdout.contains("node pool upgrade"), "\(listed.stdout)")

        let daemon = try harness.startDaemon(config: config)
        let sent = await eventually(timeout: .seconds(30)) { receiver.requests.count >= 1 }
        try await Task.sleep(for: .seconds(1))
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit() == 0)
        await harness.simulator.kill9()
        try #require(sent, "\(daemon.stderr)")
        #expect(receiver.requests.count == 1)
        #expect(String(decoding: receiver.requests[0].body, as: UTF8.self).contains("c-2"))

        let state = ["--state", harness.dir.file("state.sqlite")]
        let muted = try await harness.run(["deliveries", "list", "--silenced", "--json"] + state)
        let objects = muted.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(objects.count == 1, "\(muted.stdout)")
        #expect(objects.first?["job_id"] as? String == "job-c1")
        #expect(objects.first?["state"] as? String == "silenced")

        let expired = try await harness.run(["silence", "expire", id] + state)
        #expect(expired.status == 0, "\(expired.stderr)")
        let none = try await harness.run(["silence", "list"] + state)
        #expect(none.stdout.contains("no active silences"), "\(none.stdout)")
        let again = try await harness.run(["silence", "expire", id] + state)
        #expect(again.status == 1)

        let retried = try await harness.run(["deliveries", "retry", try #require(objects.first?["id"] as? String)] + state)
        #expect(retried.status == 0, "\(retried.stderr)")
        let pending = try await harness.run(["deliveries", "--json"] + state)
        #expect(pending.stdout.contains("\"pending\""), "\(pending.stdout)")
    }
}
