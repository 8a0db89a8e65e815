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

    /// A generic receiver: jobhook's own event document, which carries `event.id`. A window that
    /// never closes by itself during a test, however busy the machine.
    static let genericYAML = """
        cce: {region: cn-north-4, project_id: p1, auth: {token: t}}
        receivers:
          - {name: hook, url: 'https://example.com/h'}
        rules:
          - {name: failures, match: {phase: Failed}, notify: [hook], group_wait: 1h}
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

    /// Plans and records one poll of `root-1` as the pipeline does, detected (and planned) at `date`.
    @discardableResult
    static func poll(_ store: any DeliveryStore, _ tree: Job, _ uids: [String], at date: Date, config: Config) async throws -> [Delivery] {
        try await Pipeline.record(changes(in: tree, uids: uids, at: date), of: "root-1", tree: tree, ending: nil,
                                  config: config, store: store, now: { date })
    }

    static func document(_ delivery: Delivery) throws -> [String: Any] {
        let body = try #require(delivery.request.body)
        return try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
    }

    @Test(arguments: StoreBackend.allCases)
    func failedCreateClusterWithThreeFailedSubJobsSendsOneMessageListingAllThree(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            let server = try LoopbackServer { _ in .json(#"{"errcode":0,"errmsg":"ok"}"#) }
            defer { server.stop() }
            let config = try ConfigFixtures.load(Self.yaml.replacingOccurrences(of: "URL", with: server.url("/send?key=k")))
            // Three polls inside the 3 s window: one sub-job fails, then two more, then the cluster. The
            // store checks "still open" at the first poll's time, so a busy machine cannot close the window early.
            let now = Date()
            let store = try await fixture.reopen(now: { now })

            let polls: [(Job, [String])] = [
                (Self.tree(failed: 1, rootPhase: "Running"), ["sub-1"]),
                (Self.tree(failed: 3, rootPhase: "Running"), ["sub-2", "sub-3"]),
                (Self.tree(failed: 3, rootPhase: "Failed"), ["root-1"]),
            ]
            for (offset, poll) in polls.enumerated() {
                let planned = try await Self.poll(store, poll.0, poll.1, at: now.addingTimeInterval(Double(offset) * 0.05), config: config)
                #expect(planned.allSatisfy { $0.group == GroupKey(jobID: "root-1", rule: "failures", receiver: "chat") })
            }
            let queued = try await store.deliveries(state: .pending, limit: 10)
            #expect(queued.count == 1)

            let http = CurlClient()
            defer { http.shutdown() }
            let dispatcher = Dispatcher(store: store, http: http, targets: config.receivers.map(\.deliveryTarget), logger: .silent)
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
    }

    /// Without `group_wait` these three changes would be three deliveries.
    @Test(arguments: StoreBackend.allCases)
    func threeFailuresWithinTheWindowAreOneDeliveryWhoseEventIDIsItsWebhookID(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            let config = try ConfigFixtures.load(Self.genericYAML)
            let store = fixture.store
            let now = Date()
            for n in 1...3 {
                try await Self.poll(store, Self.tree(failed: n, rootPhase: "Running"), ["sub-\(n)"], at: now.addingTimeInterval(Double(n) * 0.05), config: config)
            }
            let queued = try await store.deliveries(state: .pending, limit: 10)
            try #require(queued.count == 1)
            let group = queued[0]
            let document = try Self.document(group)
            let failed = try #require((document["root"] as? [String: Any])?["failed_subjobs"] as? [[String: Any]])
            #expect(failed.compactMap { $0["reason"] as? String } == ["reason number 1", "reason number 2", "reason number 3"])
            #expect((document["event"] as? [String: Any])?["id"] as? String == group.id)
            #expect((document["job"] as? [String: Any])?["id"] as? String == "sub-3") // the latest change renders it
            let wire = DeliveryAttempt.httpRequest(for: group, target: try #require(config.receivers.first).deliveryTarget, at: now)
            #expect(wire.header("webhook-id") == group.id)
            // Due when the window of the first change closes, not pushed back by later ones.
            #expect(abs(group.nextAttemptAt.timeIntervalSince(now.addingTimeInterval(0.05 + 3600))) < 0.01)
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func aChangeAfterTheGroupWentOutOpensANewGroup(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            let config = try ConfigFixtures.load(Self.genericYAML)
            let store = fixture.store
            let first = try await Self.poll(store, Self.tree(failed: 1, rootPhase: "Running"), ["sub-1"], at: Date(), config: config)
            var sent = try #require(first.first)
            sent.attempts = 1
            sent.state = .delivered
            sent.finishedAt = Date()
            try await store.update(sent)

            let later = try await Self.poll(store, Self.tree(failed: 1, rootPhase: "Failed"), ["root-1"], at: Date(), config: config)
            let reopened = try #require(later.first)
            #expect(reopened.id != sent.id)
            #expect((try Self.document(reopened)["event"] as? [String: Any])?["id"] as? String == reopened.id)
            #expect(try await store.deliveries(state: .pending, limit: 10).map(\.id) == [reopened.id])
            #expect(try await store.delivery(sent.id)?.state == .delivered)
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func aChangeAfterTheWindowClosedOpensANewGroup(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            let config = try ConfigFixtures.load(Self.genericYAML)
            let store = fixture.store
            let start = Date().addingTimeInterval(-7200) // the first window closed long ago
            try await Self.poll(store, Self.tree(failed: 1, rootPhase: "Running"), ["sub-1"], at: start, config: config)
            try await Self.poll(store, Self.tree(failed: 1, rootPhase: "Failed"), ["root-1"], at: Date(), config: config)
            #expect(try await store.deliveries(state: .pending, limit: 10).count == 2)
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func theJobsOwnChangeStaysTheHeadline(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            let config = try ConfigFixtures.load(Self.genericYAML)
            let store = fixture.store
            let now = Date()
            try await Self.poll(store, Self.tree(failed: 1, rootPhase: "Failed"), ["root-1"], at: now, config: config)
            try await Self.poll(store, Self.tree(failed: 2, rootPhase: "Failed"), ["sub-2"], at: now.addingTimeInterval(0.05), config: config)
            let group = try #require(try await store.deliveries(state: .pending, limit: 10).first)
            #expect(group.uid == "root-1")
            #expect((try Self.document(group)["job"] as? [String: Any])?["id"] as? String == "root-1")
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func ungroupedRulesStillQueueOneDeliveryPerChange(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            let yaml = Self.yaml.replacingOccurrences(of: "URL", with: "https://example.com/h").replacingOccurrences(of: ", group_wait: 3s", with: "")
            let config = try ConfigFixtures.load(yaml)
            let store = fixture.store
            let tree = Self.tree(failed: 3, rootPhase: "Failed")
            let uids = ["root-1", "sub-1", "sub-2", "sub-3"]
            let first = try await Self.poll(store, tree, uids, at: Date(), config: config)
            #expect(first.allSatisfy { $0.group == nil && $0.id.hasPrefix("evt_") })
            try await Self.poll(store, tree, uids, at: Date(), config: config)
            #expect(try await store.deliveries(state: .pending, limit: 10).count == 4)
        }
    }
}
