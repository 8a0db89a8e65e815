import CurlHTTP
import Foundation
import JobhookSimulator
import Testing
import TestSupport

/// `POST /sim/smn/publish` and what a subscriber checks: every envelope verifies with `openssl` and
/// the certificate served at `signing_cert_url`, in SMN's shape.
@Suite("Simulated SMN: signatures and the publish route")
struct SMNSignatureTests {
    let http = CurlClient()

    static let yaml = """
        project_id: p123
        jobs:
          - {id: job-c, type: CreateCluster, cluster_id: c-1, resource_name: prod, timeline: [{after: 0s, phase: Running}]}
          - {id: job-n, type: DeleteNode, cluster_id: c-1, resource_id: n-7, timeline: [{after: 1h, phase: Running}]}
        """

    func post(_ sim: RunningSimulator, _ path: String, _ json: String) async throws -> HTTPResponse {
        try await http.send(HTTPRequest(method: "POST", url: sim.endpoint + path,
                                        headers: [HTTPHeader("Content-Type", "application/json")],
                                        body: Data(json.utf8), timeout: .seconds(20)))
    }

    /// The envelope and status from a publish answer.
    func publish(_ sim: RunningSimulator, _ json: String) async throws -> (envelope: [String: Any], status: Any?) {
        let answer = try await post(sim, "/sim/smn/publish", json)
        #expect(answer.status == 200, "\(String(decoding: answer.body, as: UTF8.self))")
        let object = try SMNOpenSSL.object(answer.body)
        return (try #require(object["envelope"] as? [String: Any]), object["status"])
    }

    func certificate(from envelope: [String: Any]) async throws -> String {
        let url = try #require(envelope["signing_cert_url"] as? String)
        let answer = try await http.send(HTTPRequest(url: url, timeout: .seconds(20)))
        #expect(answer.status == 200)
        let pem = String(decoding: answer.body, as: UTF8.self)
        #expect(pem.hasPrefix("-----BEGIN CERTIFICATE-----"))
        return pem
    }

    static func isHex32(_ value: Any?) -> Bool {
        guard let text = value as? String else { return false }
        return text.count == 32 && text.allSatisfy { "0123456789abcdef".contains($0) }
    }

    static func isSMNTimestamp(_ value: Any?) -> Bool {
        guard let text = value as? String else { return false }
        return text.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z/) != nil
    }

    @Test func notificationWithSubjectVerifiesWithOpenSSL() async throws {
        let sim = try await CCESimulator(scenario: try Scenario.parse(Self.yaml)).start(logger: .silent)
        defer { Task { await sim.stop() } }

        let (envelope, status) = try await publish(sim, #"{"job_id": "job-c", "send": false}"#)
        #expect(status is NSNull)
        #expect(envelope["type"] as? String == "Notification")
        #expect(envelope["signature_version"] as? String == "v1")
        #expect(envelope["topic_urn"] as? String == "urn:smn:sim-region:p123:cce-events")
        #expect(Self.isHex32(envelope["message_id"]))
        #expect(Self.isSMNTimestamp(envelope["timestamp"]))
        #expect((envelope["subject"] as? String)?.isEmpty == false)
        #expect((envelope["unsubscribe_url"] as? String)?.hasPrefix(sim.endpoint) == true)
        #expect(envelope["subscribe_url"] == nil)
        #expect(envelope["signing_cert_url"] as? String == sim.endpoint + "/sim/smn/cert.pem")

        let pem = try await certificate(from: envelope)
        #expect(try await SMNOpenSSL.verifies(envelope, certificatePEM: pem))
        // A changed message must fail, or the check above proves nothing.
        #expect(try await !SMNOpenSSL.verifies(envelope, certificatePEM: pem,
                                               text: SMNOpenSSL.stringToSign(envelope).replacingOccurrences(of: "job-c", with: "job-x")))
    }

    @Test func notificationWithoutSubjectVerifiesWithOpenSSL() async throws {
        let sim = try await CCESimulator(scenario: try Scenario.parse(Self.yaml)).start(logger: .silent)
        defer { Task { await sim.stop() } }

        let (envelope, _) = try await publish(sim, #"{"job_id": "job-n", "send": false, "subject": ""}"#)
        #expect(envelope["subject"] == nil)
        #expect(!SMNOpenSSL.stringToSign(envelope).contains("subject"))
        #expect(try await SMNOpenSSL.verifies(envelope, certificatePEM: try await certificate(from: envelope)))
    }

    @Test(arguments: ["SubscriptionConfirmation", "UnsubscribeConfirmation"])
    func confirmationVerifiesWithOpenSSLAndItsSubscribeURLConfirms(type: String) async throws {
        let sim = try await CCESimulator(scenario: try Scenario.parse(Self.yaml)).start(logger: .silent)
        defer { Task { await sim.stop() } }

        let (envelope, status) = try await publish(sim, #"{"type": "\#(type)", "send": false}"#)
        #expect(status is NSNull)
        #expect(envelope["type"] as? String == type)
        #expect(envelope["subject"] == nil && envelope["unsubscribe_url"] == nil)
        #expect((envelope["message"] as? String)?.contains("urn:smn:sim-region:p123:cce-events") == true)
        #expect(try await SMNOpenSSL.verifies(envelope, certificatePEM: try await certificate(from: envelope)))

        let subscribeURL = try #require(envelope["subscribe_url"] as? String)
        #expect(subscribeURL.hasPrefix(sim.endpoint + "/sim/smn/confirm?token="))
        #expect(subscribeURL.contains("&topic_urn=urn:smn:sim-region:p123:cce-events"))
        #expect(try await http.send(HTTPRequest(url: subscribeURL)).status == 200)
        #expect(try await http.send(HTTPRequest(url: sim.endpoint + "/sim/smn/confirm?token=made-up")).status == 404)
        #expect(await sim.simulator.stats().smn == SMNStats(published: 0, confirmed: 1, failed: 0))
    }

    @Test func sendFalseReturnsTheEnvelopeAndPostsNothing() async throws {
        let receiver = try LoopbackServer { _ in .status(200) }
        defer { receiver.stop() }
        let yaml = Self.yaml.replacingOccurrences(of: "after: 0s", with: "after: 1h")
            + "\nsmn: {url: \"\(receiver.url("/intake/smn"))\", confirm: false}\n"
        let sim = try await CCESimulator(scenario: try Scenario.parse(yaml)).start(logger: .silent)
        defer { Task { await sim.stop() } }

        let (envelope, status) = try await publish(sim, #"{"job_id": "job-c", "send": false}"#)
        #expect(status is NSNull)
        #expect(try await SMNOpenSSL.verifies(envelope, certificatePEM: try await certificate(from: envelope)))
        try await Task.sleep(for: .milliseconds(200))
        #expect(receiver.requests.isEmpty)

        // Sent: once, to smn.url, with SMN's headers; the answer carries the subscriber's status.
        let (sent, sentStatus) = try await publish(sim, #"{"job_id": "job-c"}"#)
        #expect(sentStatus as? Int == 200)
        let request = try #require(receiver.requests.first)
        #expect(receiver.requests.count == 1)
        #expect(request.path == "/intake/smn")
        #expect(request.header("X-SMN-MESSAGE-TYPE") == "Notification")
        #expect(request.header("X-SMN-MESSAGE-ID") == sent["message_id"] as? String)
        #expect(request.header("X-SMN-TOPIC-URN") == "urn:smn:sim-region:p123:cce-events")
        #expect(request.header("Content-Type") == "application/json")
        #expect(try SMNOpenSSL.object(request.body)["signature"] as? String == sent["signature"] as? String)

        // A url in the request overrides smn.url; a subscriber's refusal is its status.
        let other = try LoopbackServer { _ in .status(403) }
        defer { other.stop() }
        let (_, refused) = try await publish(sim, #"{"type": "SubscriptionConfirmation", "url": "\#(other.url("/x"))"}"#)
        #expect(refused as? Int == 403)
        #expect(other.requests.count == 1)
        #expect(await sim.simulator.stats().smn == SMNStats(published: 1, confirmed: 0, failed: 1))
    }

    @Test func publishRefusesUnknownJobsAndMissingTargets() async throws {
        let sim = try await CCESimulator(scenario: try Scenario.parse(Self.yaml)).start(logger: .silent)
        defer { Task { await sim.stop() } }
        #expect(try await post(sim, "/sim/smn/publish", #"{"job_id": "nope", "send": false}"#).status == 404)
        #expect(try await post(sim, "/sim/smn/publish", #"{"send": false}"#).status == 400)
        #expect(try await post(sim, "/sim/smn/publish", #"{"job_id": "job-c"}"#).status == 400, "no smn.url, no url")
    }
}
