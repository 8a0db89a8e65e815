import CurlHTTP
import Foundation
import InMemoryLogging
import JobhookCore
import Logging
import Testing
import TestSupport

/// Webhook URLs carry tokens (Feishu, DingTalk, Slack, GitLab triggers): the dispatcher's records
/// of failing deliveries, and config problems about secret-bearing fields, never repeat them.
@Suite struct SecretLoggingTests {
    static let secrets = ["URLPATHPLANTED", "QUERYPLANTED", "HEADERPLANTED", "USERPASSPLANTED"]

    static func leaks(_ texts: [String]) -> [String] {
        texts.filter { text in secrets.contains { text.contains($0) } }
    }

    static func text(_ entry: InMemoryLogHandler.Entry) -> String {
        "\(entry.message) " + entry.metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }

    func delivery(_ id: String, url: String) -> Delivery {
        Delivery(
            id: id, receiver: "hook", rule: "r", jobID: "job-1", uid: "job-1", transition: "Running → Failed",
            request: RenderedRequest(method: "POST", url: url, headers: [HTTPHeader("Authorization", "Bearer HEADERPLANTED")],
                                     body: Data(#"{"a":1}"#.utf8), contentType: "application/json"),
            createdAt: Date())
    }

    @Test func failingDeliveriesNeverLogTheWebhookURLsTokens() async throws {
        let dir = try StoreDirectory()
        defer { dir.cleanUp() }
        let server = try LoopbackServer { request in
            request.index == 0 ? .status(503, headers: [HTTPHeader("Retry-After", "0")]) : .json(#"{"error":"gone"}"#, status: 404)
        }
        defer { server.stop() }
        let refusing = try RefusingPort()
        let store = try SQLiteStore(path: dir.storePath)
        try await store.record(PollRecord(jobID: "job-1", tree: StoreSamples.tree(), phases: [:], deliveries: [
            delivery("evt_http", url: server.url("/hook/URLPATHPLANTED?token=QUERYPLANTED")),
            delivery("evt_refused", url: "http://user:USERPASSPLANTED@127.0.0.1:\(refusing.port)/URLPATHPLANTED?access_token=QUERYPLANTED"),
        ]))
        let handler = InMemoryLogHandler()
        var logger = Logger(label: "test") { _ in handler }
        logger.logLevel = .trace
        let http = CurlClient()
        defer { http.shutdown() }
        let retry = RetrySettings(maxAttempts: 2, initialBackoff: .milliseconds(10), maxBackoff: .milliseconds(20), maxAge: .seconds(60))
        let dispatcher = Dispatcher(store: store, http: http, targets: [DeliveryTarget(name: "hook", retry: retry)], logger: logger)
        let task = Task { try await dispatcher.run() }
        await dispatcher.wake()
        let dead = try await eventually(timeout: .seconds(15)) {
            try await store.deliveries(state: .dead, limit: 10).count == 2
        }
        task.cancel()
        await dispatcher.drain(deadline: .seconds(1))
        #expect(dead)
        #expect(server.requests.count == 2)
        let records = handler.entries.map(Self.text)
        #expect(records.contains { $0.contains("dead letter") }, "\(records)")
        #expect(Self.leaks(records) == [])
        let stored = try await store.deliveries(state: .dead, limit: 10).compactMap(\.lastError)
        #expect(stored.count == 2 && Self.leaks(stored) == [], "last_error is shown by the API and the CLI: \(stored)")
    }

    @Test func configProblemsAboutSecretBearingFieldsDoNotQuoteThem() {
        let yaml = """
            cce:
              region: cn-north-4
              auth: {token: [USERPASSPLANTED]}
            receivers:
              - {name: a, url: "hooks.example.com/URLPATHPLANTED?token=QUERYPLANTED"}
              - {name: b, url: "ftp://u:USERPASSPLANTED@example.com/URLPATHPLANTED"}
              - {name: c, url: "https://example.com/URLPATHPLANTED", headers: {Authorization: [HEADERPLANTED]}}
            rules:
              - {name: r, match: {phase: Failed}, notify: [a, b, c]}
            """
        let problems = ConfigFixtures.problems(yaml)
        #expect(problems.count >= 3, "\(problems)")
        #expect(Self.leaks(problems) == [])
    }
}
