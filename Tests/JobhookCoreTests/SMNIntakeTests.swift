import CCE
import CurlHTTP
import Foundation
import InMemoryLogging
@testable import JobhookCore
import Logging
import Synchronization
import Testing
import TestSupport

/// `SMNIntake` over a real store, a real watch list and a fake CCE project: what each message does,
/// and that a refused one does nothing but say why (never with its body).
@Suite("SMN intake")
struct SMNIntakeTests {
    let smn: OpenSSLSMN
    init() throws { smn = try OpenSSLSMN() }

    struct Running {
        var intake: SMNIntake
        var store: SQLiteStore
        var project: FakeProject
        var logs: InMemoryLogHandler
        var engine: Engine

        func logText() -> [String] {
            logs.entries.map { "\($0.message) " + $0.metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ") }
        }
    }

    func running(discover: DiscoverSettings? = nil, topics: Set<String> = [OpenSSLSMN.topic],
                 _ body: (Running) async throws -> Void) async throws {
        var config = try PipelineFixtures.config()
        config.discover = discover
        config.smnIntake = SMNIntakeSettings(topics: topics, certificate: .pinned(path: smn.certPath, key: try smn.key()))
        let store = try SQLiteStore.inMemory()
        let project = FakeProject()
        let logs = InMemoryLogHandler()
        var logger = Logger(label: "test") { _ in logs }
        logger.logLevel = .trace
        let http = CurlClient()
        defer { http.shutdown() }
        let settings = Poller.Settings(interval: .milliseconds(20), maxRPS: 1000, initialBackoff: .milliseconds(10),
                                       maxBackoff: .milliseconds(40), firstPollSpread: .milliseconds(1))
        let engine = try await Engine(config: config, store: store, fetcher: project, lister: project, http: http,
                                      pollSettings: settings, logger: logger)
        let poller = Task { await engine.poller.run() }
        defer { poller.cancel() }
        try await body(Running(intake: engine.intake, store: store, project: project, logs: logs, engine: engine))
    }

    func notification(_ trace: String, id: String = UUID().uuidString) throws -> Data {
        OpenSSLSMN.body(try smn.notification(message: trace, id: id))
    }

    @Test func aTraceWithTheJobInItsResponseStartsAWatchAndAReplayDoesNothing() async throws {
        try await running { run in
            run.project.set(Job(uid: "job-push", type: "CreateCluster", phase: "Running"))
            let body = try notification(OpenSSLSMN.trace(response: OpenSSLSMN.clusterAnswer(jobID: "job-push")), id: "m-1")
            let first = await run.intake.receive(body)
            #expect(first.status == 200)
            #expect(first.outcome == "watched")
            #expect(first.jobIDs == ["job-push"])
            let watch = try #require(try await run.store.watch("job-push"))
            #expect(watch.source == "smn")
            #expect(watch.state == .watching)
            #expect(await eventually(timeout: .seconds(5)) { run.project.calls("show:job-push") > 0 }, "the job is polled")
            let again = await run.intake.receive(body)
            #expect(again.status == 200)
            #expect(again.outcome == "duplicate")
            #expect(try await run.store.intakeMessageSeen("m-1"))
        }
    }

    @Test func withoutAJobInTheResponseShowClusterFindsIt() async throws {
        try await running { run in
            run.project.state.withLock { $0.clusters = [ListedCluster(uid: "c-1", phase: "Creating", jobID: "job-from-cluster")] }
            let answer = await run.intake.receive(try notification(OpenSSLSMN.trace(response: "")))
            #expect(answer.outcome == "watched")
            #expect(run.project.calls("cluster:c-1") == 1)
            #expect(try await run.store.watch("job-from-cluster")?.source == "smn")
        }
    }

    @Test func tracesWithNoJobAnywhereAreAcknowledgedAndIgnored() async throws {
        try await running { run in
            let traces = [
                OpenSSLSMN.trace(response: ""),  // ShowCluster: no such cluster
                OpenSSLSMN.trace(name: "createNode", resourceType: "node", resourceID: "n-1", response: #"{"kind":"Node"}"#),
                OpenSSLSMN.trace(response: #"{"jobID":"j"}"#, service: "ECS"),
                OpenSSLSMN.trace(response: #"{"error_code":"x"}"#, code: "400"),
                OpenSSLSMN.trace(response: #"{"jobID":"not a job id!"}"#),
                "this message is not JSON",
                #"{"some":"other producer"}"#,
            ]
            for trace in traces {
                let answer = await run.intake.receive(try notification(trace))
                #expect(answer.status == 200, "\(trace)")
                #expect(answer.outcome == "ignored", "\(trace): \(answer.detail)")
            }
            #expect(try await run.store.watches().isEmpty)
        }
    }

    @Test func refusalsHaveNoEffectAndNeverLogTheBody() async throws {
        let other = try OpenSSLSMN()
        try await running { run in
            let trace = OpenSSLSMN.trace(response: #"{"status":{"jobID":"PLANTED-JOB"}}"#)
            var tampered = try smn.notification(message: trace)
            tampered["message"] = OpenSSLSMN.trace(response: #"{"status":{"jobID":"PLANTED-OTHER"}}"#)
            let cases: [(String, Data, Int)] = [
                ("tampered", OpenSSLSMN.body(tampered), 403),
                ("another key", OpenSSLSMN.body(try other.notification(message: trace)), 403),
                ("unlisted topic", OpenSSLSMN.body(try smn.notification(message: trace, topic: "urn:smn:cn-north-4:0a1b2c3d4e5f:x")), 403),
                ("stale", OpenSSLSMN.body(try smn.notification(message: trace, at: Date().addingTimeInterval(-3600))), 403),
                ("future", OpenSSLSMN.body(try smn.notification(message: trace, at: Date().addingTimeInterval(3600))), 403),
                ("malformed", Data("{PLANTED-JOB".utf8), 403),
                ("oversized", Data(repeating: 0x20, count: SMNMessage.maxBodyBytes + 1), 413),
            ]
            for (name, body, status) in cases {
                let answer = await run.intake.receive(body)
                #expect(answer.status == status, "\(name): \(answer.detail)")
                #expect(answer.outcome == "refused", "\(name)")
            }
            #expect(try await run.store.watches().isEmpty)
            let logged = run.logText()
            #expect(logged.filter { $0.contains("SMN message refused") }.count == cases.count, "\(logged)")
            #expect(!logged.contains { $0.contains("PLANTED") }, "\(logged)")
            #expect(logged.contains { $0.contains("reason=bad_signature") })
            #expect(logged.contains { $0.contains("reason=topic_not_listed") })
            #expect(logged.contains { $0.contains("reason=stale") })
        }
    }

    @Test func aConfirmationGetsTheSubscribeURLOnceWithoutFollowingRedirects() async throws {
        let smnConsole = try LoopbackServer { request in
            request.path == "/redirect" ? .status(302, headers: [HTTPHeader("Location", "/elsewhere")]) : .json(#"{"ok":true}"#)
        }
        defer { smnConsole.stop() }
        try await running { run in
            let url = smnConsole.url("/confirm?token=SECRET-TOKEN&topic_urn=x")
            let answer = await run.intake.receive(OpenSSLSMN.body(try smn.confirmation(subscribeURL: url, id: "c-1")))
            #expect(answer.outcome == "confirmed")
            #expect(smnConsole.requests.map(\.method) == ["GET"])
            #expect(smnConsole.requests.first?.query == "token=SECRET-TOKEN&topic_urn=x")
            #expect(await run.intake.receive(OpenSSLSMN.body(try smn.confirmation(subscribeURL: url, id: "c-1"))).outcome == "duplicate")
            #expect(smnConsole.requests.count == 1)

            let redirected = await run.intake.receive(OpenSSLSMN.body(try smn.confirmation(subscribeURL: smnConsole.url("/redirect"))))
            #expect(redirected.status == 503, "a redirect is not followed, so nothing was confirmed")
            #expect(!smnConsole.requests.contains { $0.path == "/elsewhere" })
            #expect(!run.logText().contains { $0.contains("SECRET-TOKEN") })

            let unsubscribed = await run.intake.receive(OpenSSLSMN.body(try smn.confirmation(subscribeURL: url, type: "UnsubscribeConfirmation")))
            #expect(unsubscribed.status == 200)
            #expect(smnConsole.requests.count == 2, "an unsubscription is only logged")
        }
    }

    @Test func aFailedConfirmationIsNotRecordedSoSMNsRetryConfirms() async throws {
        let smnConsole = try LoopbackServer { request in request.index == 0 ? .status(500) : .status(200) }
        defer { smnConsole.stop() }
        try await running { run in
            let body = OpenSSLSMN.body(try smn.confirmation(subscribeURL: smnConsole.url("/confirm"), id: "c-2"))
            #expect(await run.intake.receive(body).status == 503)
            #expect(await run.intake.receive(body).outcome == "confirmed")
        }
    }

    @Test func discoverTypesAndClustersFilterPushedJobs() async throws {
        try await running(discover: DiscoverSettings(types: ["CreateCluster"], clusters: ["c-1"])) { run in
            let wanted = await run.intake.receive(try notification(OpenSSLSMN.trace(response: #"{"jobID":"wanted"}"#)))
            #expect(wanted.outcome == "watched")
            let node = OpenSSLSMN.trace(name: "createNode", resourceType: "node", resourceID: "n-1", response: #"{"jobID":"node-job"}"#)
            #expect(await run.intake.receive(try notification(node)).outcome == "ignored")
            let otherCluster = OpenSSLSMN.trace(resourceID: "c-2", response: #"{"jobID":"other-cluster"}"#)
            #expect(await run.intake.receive(try notification(otherCluster)).outcome == "ignored")
            #expect(try await run.store.watches().map(\.jobID) == ["wanted"])
        }
    }

    @Test func aJobRemovedThroughTheAPIIsNotRevivedByPush() async throws {
        try await running { run in
            _ = try await run.engine.watches.add("removed-job", source: .api)
            #expect(try await run.engine.watches.remove("removed-job"))
            let answer = await run.intake.receive(try notification(OpenSSLSMN.trace(response: #"{"jobID":"removed-job"}"#)))
            #expect(answer.outcome == "ignored")
            #expect(try await run.store.watch("removed-job")?.state == .removed)
        }
    }

    @Test func certHostsFetchOnlyHTTPSFromAListedHostAndRefuseTheRest() async throws {
        let hosts: Set<String> = ["smn.cn-north-4.myhuaweicloud.com"]
        #expect(SigningCertificates.problem("https://smn.cn-north-4.myhuaweicloud.com/smn/SMN_cn-north-4.pem", hosts: hosts) == nil)
        #expect(SigningCertificates.problem("https://SMN.cn-north-4.myhuaweicloud.com:443/c.pem", hosts: hosts) == nil)
        for refused in [
            "http://smn.cn-north-4.myhuaweicloud.com/c.pem", "https://evil.example.com/c.pem",
            "https://smn.cn-north-4.myhuaweicloud.com.evil.example.com/c.pem", "https://u:p@smn.cn-north-4.myhuaweicloud.com/c.pem",
            "https://smn.cn-north-4.myhuaweicloud.com:8443/c.pem", "file:///etc/passwd", "not a url",
        ] {
            #expect(SigningCertificates.problem(refused, hosts: hosts) != nil, "\(refused)")
        }
        // Through the intake: a message naming an unlisted host is refused before anything is fetched.
        let cceAndCerts = try LoopbackServer { _ in .text("not reached") }
        defer { cceAndCerts.stop() }
        var config = try PipelineFixtures.config()
        config.smnIntake = SMNIntakeSettings(topics: [OpenSSLSMN.topic], certificate: .fetched(hosts: hosts))
        let store = try SQLiteStore.inMemory()
        let http = CurlClient()
        defer { http.shutdown() }
        let engine = try await Engine(config: config, store: store, fetcher: FakeProject(), lister: FakeProject(), http: http,
                                      logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        var fields = try smn.notification(message: OpenSSLSMN.trace(response: #"{"jobID":"j"}"#))
        fields["signing_cert_url"] = cceAndCerts.url("/cert.pem")
        let answer = await engine.intake.receive(OpenSSLSMN.body(fields))
        #expect(answer.status == 403)
        #expect(answer.detail.contains("not an https URL"), "\(answer.detail)")
        #expect(cceAndCerts.requests.isEmpty)
        #expect(try await store.watches().isEmpty)
    }

    @Test func theTopicNamesTheAccount() {
        let accounts = [
            CCEAccount(name: "bj4", cce: CCESettings(region: "cn-north-4", projectID: "p-bj")),
            CCEAccount(name: "sg", cce: CCESettings(region: "ap-southeast-3", projectID: "p-sg")),
        ]
        #expect(SMNIntakeSettings.account(forTopic: "urn:smn:ap-southeast-3:p-sg:events", in: accounts) == "sg")
        #expect(SMNIntakeSettings.account(forTopic: "urn:smn:cn-north-4:p-bj:events", in: accounts) == "bj4")
        #expect(SMNIntakeSettings.account(forTopic: "urn:smn:eu-west-0:p-other:events", in: accounts) == "bj4")
    }
}
