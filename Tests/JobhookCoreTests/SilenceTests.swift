import CCE
import CurlHTTP
import Foundation
@testable import JobhookCore
import Testing
import TestSupport

/// SPEC § Silences: a silence mutes only its own events, ends by the clock, survives a restart,
/// refuses invalid matchers with the reason, and what it muted is kept and can be re-driven once.
@Suite struct SilenceTests {
    let t0 = Date(timeIntervalSince1970: 1_700_000_000)

    static let config = """
        cce: {region: cn-north-4, project_id: p1}
        receivers:
          - {name: chat, url: 'https://chat.example/hook'}
        rules:
          - {name: failed, match: {phase: Failed}, notify: [chat]}
        """

    func change(cluster: String, uid: String, at: Date) -> PhaseChange {
        let root = ConfigFixtures.job(uid: uid, clusterID: cluster)
        return PhaseChange(rootID: uid, uid: uid, level: .job, from: "Running", to: "Failed", job: root, parent: nil, root: root, detectedAt: at)
    }

    func silence(_ matchers: [String], for seconds: Double = 3600) throws -> Silence {
        try SilenceRequest.make(matchers: matchers, duration: "\(Int(seconds))s", until: nil, comment: "upgrade", createdBy: "ann@host", now: t0)
    }

    @Test func aSilenceOnOneClusterMutesItsFailureAndNotTheOthersInTheSameBatch() throws {
        let config = try ConfigFixtures.load(Self.config)
        let silences = SilenceSet([try silence(["cluster_id=c-1"])])
        let deliveries = Pipeline.plan([change(cluster: "c-1", uid: "job-1", at: t0 + 1), change(cluster: "c-2", uid: "job-2", at: t0 + 1)],
                                       config: config, silences: silences)
        #expect(deliveries.map(\.jobID) == ["job-1", "job-2"])
        #expect(deliveries.map(\.state) == [.silenced, .pending])
        #expect(deliveries[0].lastError?.hasPrefix("silenced by sil_") == true)
        #expect(deliveries[0].request.url == deliveries[1].request.url && deliveries[0].request.body?.isEmpty == false,
                "rendered like any other, so a re-drive sends what would have gone out")
    }

    @Test func aSilenceEndsByTheClockThatDetectedTheChange() throws {
        let config = try ConfigFixtures.load(Self.config)
        let silences = SilenceSet([try silence(["cluster_id=c-1", "type=~Create"], for: 60)])
        #expect(Pipeline.plan([change(cluster: "c-1", uid: "job-1", at: t0 + 30)], config: config, silences: silences).map(\.state) == [.silenced])
        #expect(Pipeline.plan([change(cluster: "c-1", uid: "job-1", at: t0 + 60)], config: config, silences: silences).map(\.state) == [.pending])
        #expect(Pipeline.plan([change(cluster: "c-1", uid: "job-1", at: t0 - 1)], config: config, silences: silences).map(\.state) == [.pending],
                "not before it starts")
    }

    @Test(arguments: [
        (["cluster_id"], "--match 'cluster_id': expected KEY=VALUE or KEY=~REGEX"),
        (["clusterid=c-1"], "unknown matcher key 'clusterid' (expected: type, phase, from, reason, level, cluster_id, resource_name, account)"),
        (["reason=~(unclosed"], "reason: invalid regular expression '(unclosed': missing closing parenthesis (at offset 9)"),
        (["level=top"], "level: expected job, subjob or any (got 'top')"),
        (["type=A", "type=B"], "matcher key 'type' is given twice"),
        ([], "a silence needs at least one matcher (KEY=VALUE, e.g. cluster_id=c-1): one with none would mute everything"),
    ])
    func invalidMatchersAreRefusedWithTheReason(matchers: [String], reason: String) {
        let error = #expect(throws: SilenceRequest.Problem.self) {
            try SilenceRequest.make(matchers: matchers, duration: "2h", until: nil, comment: "", createdBy: "x", now: t0)
        }
        #expect(error?.description == reason)
    }

    @Test func aSilenceNeedsAnEndInTheFuture() {
        #expect(throws: SilenceRequest.Problem.self) { try SilenceRequest.make(matchers: ["phase=Failed"], duration: nil, until: nil, comment: "", createdBy: "x", now: t0) }
        #expect(throws: SilenceRequest.Problem.self) { try SilenceRequest.make(matchers: ["phase=Failed"], duration: "soon", until: nil, comment: "", createdBy: "x", now: t0) }
        #expect(throws: SilenceRequest.Problem.self) { try SilenceRequest.make(matchers: ["phase=Failed"], duration: nil, until: "2020-01-01T00:00:00Z", comment: "", createdBy: "x", now: t0) }
        #expect((try? SilenceRequest.make(matchers: ["phase=Failed"], duration: nil, until: "2023-11-15T00:00:00Z", comment: "", createdBy: "x", now: t0))?.endsAt
                == Date(timeIntervalSince1970: 1_700_006_400))
    }

    @Test(arguments: StoreBackend.allCases)
    func aSilenceSurvivesARestartAndExpiringItEndsItNow(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            let now = Date()
            let added = try SilenceRequest.make(matchers: ["cluster_id=c-1", "reason=~quota"], duration: "2h", until: nil,
                                                comment: "node pool upgrade", createdBy: "ann@host", now: now)
            do {
                let store = fixture.store
                try await store.addSilence(added)
            }
            let reopened = try await fixture.reopen()
            let listed = try await reopened.silences(now: now, includingEnded: false)
            #expect(listed.map(\.id) == [added.id])
            #expect(listed.first?.matchers == added.matchers)
            #expect(listed.first?.comment == "node pool upgrade" && listed.first?.createdBy == "ann@host")
            #expect(abs((listed.first?.endsAt ?? .distantPast).timeIntervalSince(added.endsAt)) < 0.001)
            let source = SilenceSource(store: reopened)
            #expect(await source.current(now: now).count == 1)
            #expect(try await reopened.expireSilence(added.id, now: now + 1))
            #expect(try await reopened.expireSilence(added.id, now: now + 2) == false, "already ended")
            #expect(try await reopened.silences(now: now + 2, includingEnded: false).isEmpty)
            #expect(try await reopened.silences(now: now + 2, includingEnded: true).map(\.id) == [added.id])
        }
    }

    /// Re-driving what a silence muted sends it, once, through the real dispatcher.
    @Test(arguments: StoreBackend.allCases)
    func reDrivingASilencedDeliverySendsItOnce(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            let receiver = try LoopbackServer { _ in .status(204) }
            defer { receiver.stop() }
            let store = fixture.store
            let config = try ConfigFixtures.load(Self.config.replacingOccurrences(of: "https://chat.example/hook", with: receiver.url("/hook")))
            let changed = change(cluster: "c-1", uid: "job-1", at: Date())
            let silence = try SilenceRequest.make(matchers: ["cluster_id=c-1"], duration: "1h", until: nil, comment: "", createdBy: "x", now: Date() - 1)
            try await Pipeline.record([changed], of: "job-1", tree: changed.root, ending: nil, config: config, store: store,
                                      silences: SilenceSet([silence]))
            let muted = try await store.deliveries(state: .silenced, limit: 10)
            #expect(muted.count == 1)
            #expect(try await store.pendingCount() == 0)

            let http = CurlClient()
            defer { http.shutdown() }
            let dispatcher = Dispatcher(store: store, http: http, targets: config.receivers.map(\.deliveryTarget), logger: .silent)
            let task = Task { try await dispatcher.run() }
            try await Task.sleep(for: .milliseconds(300))
            #expect(receiver.requests.isEmpty, "silenced is never attempted")
            #expect(try await store.retry(muted[0].id, force: false, now: Date()) == .requeued)
            await dispatcher.wake()
            #expect(try await eventually { try await store.delivery(muted[0].id)?.state == .delivered })
            try await Task.sleep(for: .milliseconds(300))
            task.cancel()
            await dispatcher.drain(deadline: .seconds(1))
            #expect(receiver.requests.count == 1)
            #expect(receiver.requests.first?.header("webhook-id") == muted[0].id)
        }
    }
}
