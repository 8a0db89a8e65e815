import CCE
import CurlHTTP
import Foundation
@testable import JobhookCore
import Testing
import TestSupport

/// `group_wait`: one message per failed job, listing every failed sub-job.
@Suite struct GroupingTests {
    static let yaml = """
        cce: {region: cn-north-4, project_id: p1, auth: {token: t}}
        receivers:
          - {name: chat, preset: wecom, url: 'URL', rate_limit: 100/1s}
        rules:
          - {name: failures, match: {phase: Failed}, notify: [chat], group_wait: 3s}
        """

    /// A CreateCluster whose three sub-jobs fail one after the other, then the cluster itself.
    static func tree(failed: Int, rootPhase: String) -> Job {
        let subs = (1...3).map { n in
            Job(uid: "sub-\(n)", type: ["InstallMaster", "CreateNode", "InstallAddon"][n - 1], phase: n <= failed ? "Failed" : "Running",
                reason: n <= failed ? "reason number \(n)" : nil, createdAt: Date(timeIntervalSince1970: 1_700_000_000))
        }
        return Job(uid: "root-1", type: "CreateCluster", phase: rootPhase, reason: rootPhase == "Failed" ? "sub-jobs failed" : nil,
                   clusterID: "c-1", resourceName: "prod-cluster", createdAt: Date(timeIntervalSince1970: 1_700_000_000), subJobs: subs)
    }

    static func changes(in tree: Job, uids: [String], at date: Date) -> [PhaseChange] {
        uids.map { uid in
            let job = uid == "root-1" ? tree : tree.subJobs.first { $0.uid == uid }!
            return PhaseChange(rootID: "root-1", uid: uid, level: uid == "root-1" ? .job : .subjob, from: "Running", to: "Failed",
                               job: job, parent: uid == "root-1" ? nil : tree, root: tree, detectedAt: date)
        }
    }

    @Test func failedCreateClusterWithThreeFailedSubJobsSendsOneMessageListingAllThree() async throws {
        let dir = try StoreDirectory()
        defer { dir.cleanUp() }
        let server = try LoopbackServer { _ in .json(#"{"errcode":0,"errmsg":"ok"}"#) }
        defer { server.stop() }
        let config = try ConfigFixtures.load(Self.yaml.replacingOccurrences(of: "URL", with: server.url("/send?key=k")))
        let store = try SQLiteStore(path: dir.storePath)

        // Three polls inside the window: one sub-job fails, then two more, then the cluster.
        let now = Date()
        let polls: [(Job, [String])] = [
            (Self.tree(failed: 1, rootPhase: "Running"), ["sub-1"]),
            (Self.tree(failed: 3, rootPhase: "Running"), ["sub-2", "sub-3"]),
            (Self.tree(failed: 3, rootPhase: "Failed"), ["root-1"]),
        ]
        for (offset, poll) in polls.enumerated() {
            let changes = Self.changes(in: poll.0, uids: poll.1, at: now.addingTimeInterval(Double(offset) * 0.05))
            let deliveries = changes.flatMap { DeliveryPlanner.deliveries(for: $0, config: config) }
            #expect(deliveries.allSatisfy { Grouping.isGrouped($0.id) })
            try await store.record(PollRecord(jobID: "root-1", tree: poll.0, phases: PhaseTracker.phases(of: poll.0), deliveries: deliveries))
        }
        let queued = try await store.deliveries(state: .pending, limit: 10)
        #expect(queued.count == 1)

        let http = CurlClient()
        defer { http.shutdown() }
        let dispatcher = Dispatcher(store: store, http: http, targets: config.receivers.map(\.deliveryTarget))
        let task = Task { try await dispatcher.run() }
        await dispatcher.wake()
        let sent = try await eventually(timeout: .seconds(15)) { try await store.pendingCount() == 0 }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        await dispatcher.drain(deadline: .seconds(1))
        #expect(sent)

        let requests = server.requests
        #expect(requests.count == 1)
        let request = try #require(requests.first)
        let content = try #require(((request.bodyJSON as? [String: Any])?["markdown"] as? [String: Any])?["content"] as? String)
        for n in 1...3 { #expect(content.contains("reason number \(n)")) }
        // The cluster's own failure is the headline; webhook-id and the stored id agree.
        #expect(content.contains("sub-jobs failed"))
        #expect(request.header("webhook-id") == queued.first?.id)
    }

    @Test func aChangeAfterTheGroupWentOutOpensANewGroup() async throws {
        let config = try ConfigFixtures.load(Self.yaml.replacingOccurrences(of: "URL", with: "https://example.com/h"))
        let store = try SQLiteStore.inMemory()
        let start = Date().addingTimeInterval(-10) // the first window closed long ago
        let first = Self.changes(in: Self.tree(failed: 1, rootPhase: "Running"), uids: ["sub-1"], at: start)
        try await store.record(PollRecord(jobID: "root-1", tree: first[0].root, phases: [:],
                                          deliveries: first.flatMap { DeliveryPlanner.deliveries(for: $0, config: config) }))
        let later = Self.changes(in: Self.tree(failed: 1, rootPhase: "Failed"), uids: ["root-1"], at: Date())
        try await store.record(PollRecord(jobID: "root-1", tree: later[0].root, phases: [:],
                                          deliveries: later.flatMap { DeliveryPlanner.deliveries(for: $0, config: config) }))
        #expect(try await store.deliveries(state: .pending, limit: 10).count == 2)
    }

    @Test func ungroupedRulesStillQueueOneDeliveryPerChange() async throws {
        let yaml = Self.yaml.replacingOccurrences(of: "URL", with: "https://example.com/h").replacingOccurrences(of: ", group_wait: 3s", with: "")
        let config = try ConfigFixtures.load(yaml)
        let store = try SQLiteStore.inMemory()
        let tree = Self.tree(failed: 3, rootPhase: "Failed")
        let changes = Self.changes(in: tree, uids: ["root-1", "sub-1", "sub-2", "sub-3"], at: Date())
        let deliveries = changes.flatMap { DeliveryPlanner.deliveries(for: $0, config: config) }
        try await store.record(PollRecord(jobID: "root-1", tree: tree, phases: [:], deliveries: deliveries))
        try await store.record(PollRecord(jobID: "root-1", tree: tree, phases: [:], deliveries: deliveries))
        #expect(try await store.deliveries(state: .pending, limit: 10).count == 4)
    }
}
