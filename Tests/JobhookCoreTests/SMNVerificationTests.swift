import Foundation
import JobhookCore
import TestSupport
import Testing

/// The envelope, its string to sign and the checks `SMNAdmission` makes, against messages signed by
/// `openssl dgst -sha256 -sign` (`OpenSSLSMN`).
@Suite("SMN message verification")
struct SMNVerificationTests {
    let smn: OpenSSLSMN
    let listed: Set<String> = [OpenSSLSMN.topic]

    init() throws { smn = try OpenSSLSMN() }

    func decode(_ fields: [String: String]) throws -> SMNMessage { try SMNMessage.decode(OpenSSLSMN.body(fields)) }

    func admitted(_ fields: [String: String], key: SMNSigningKey? = nil, maxAge: TimeInterval = 900, now: Date = Date()) throws
        -> SMNAdmission.Refusal? {
        let message = try decode(fields)
        if let refusal = SMNAdmission.topic(message, listed: listed) { return refusal }
        return SMNAdmission.authentic(message, key: try key ?? smn.key(), maxAge: maxAge, now: now)
    }

    @Test func aNotificationWithASubjectVerifies() throws {
        #expect(try admitted(smn.notification(message: #"{"a":1}"#, subject: "CCE key event")) == nil)
    }

    @Test func aNotificationWithoutASubjectLeavesTheKeyOutAndVerifies() throws {
        #expect(try admitted(smn.notification(message: "hello", subject: nil)) == nil)
        #expect(try admitted(smn.notification(message: "hello", subject: "")) == nil)
        let message = try decode(smn.notification(message: "hello", subject: nil))
        #expect(!message.stringToSign.contains("subject"))
    }

    @Test func confirmationsVerify() throws {
        #expect(try admitted(smn.confirmation(subscribeURL: "https://smn.example.com/confirm?token=abc")) == nil)
        #expect(try admitted(smn.confirmation(subscribeURL: "https://smn.example.com/x", type: "UnsubscribeConfirmation")) == nil)
    }

    @Test func theStringToSignIsTheDocumentedOne() throws {
        let message = try decode(smn.notification(message: "m", subject: "s", id: "id1"))
        #expect(message.stringToSign == "message\nm\nmessage_id\nid1\nsubject\ns\ntimestamp\n\(message.timestamp)\ntopic_urn\n\(OpenSSLSMN.topic)\ntype\nNotification\n")
    }

    @Test func everyTamperedSignedFieldIsRefused() throws {
        let sent = Date().addingTimeInterval(-100)
        let original = try smn.notification(message: #"{"a":1}"#, at: sent)
        for key in ["message", "message_id", "subject", "timestamp", "topic_urn"] {
            var tampered = original
            tampered[key] = key == "timestamp" ? OpenSSLSMN.timestamp(sent.addingTimeInterval(-60)) : (original[key] ?? "") + "x"
            let refusal = try admitted(tampered)
            #expect(refusal == .badSignature || (key == "topic_urn" && refusal == .topicNotListed), "\(key): \(String(describing: refusal))")
        }
        var noSubject = original
        noSubject["subject"] = nil
        #expect(try admitted(noSubject) == .badSignature)
        var badBase64 = original
        badBase64["signature"] = "%%%"
        #expect(try admitted(badBase64) == .badSignature)
    }

    @Test func anotherKeyIsRefused() throws {
        let other = try OpenSSLSMN()
        #expect(try admitted(other.notification(message: "m")) == .badSignature)
        #expect(try admitted(smn.notification(message: "m"), key: other.key()) == .badSignature)
    }

    @Test func unlistedTopicsAndUnknownVersionsAreRefusedBeforeTheSignature() throws {
        #expect(try admitted(smn.notification(message: "m", topic: "urn:smn:cn-north-4:0a1b2c3d4e5f:other")) == .topicNotListed)
        var v2 = try smn.notification(message: "m")
        v2["signature_version"] = "v2"
        #expect(try admitted(v2) == .signatureVersion)
    }

    @Test func staleAndFutureTimestampsAreRefused() throws {
        // Margins of a minute or more: signing with openssl takes a while on a loaded machine.
        #expect(try admitted(smn.notification(message: "m", at: Date().addingTimeInterval(-1000))) == .stale)
        #expect(try admitted(smn.notification(message: "m", at: Date().addingTimeInterval(-800))) == nil)
        #expect(try admitted(smn.notification(message: "m", at: Date().addingTimeInterval(400))) == .future)
        #expect(try admitted(smn.notification(message: "m", at: Date().addingTimeInterval(200))) == nil)
        #expect(try admitted(smn.notification(message: "m"), maxAge: 60, now: Date().addingTimeInterval(120)) == .stale)
    }

    @Test func malformedBodiesNameTheFieldNeverTheValue() {
        func problem(_ text: String) -> String? {
            do { _ = try SMNMessage.decode(Data(text.utf8)); return nil } catch { return error.description }
        }
        #expect(problem("not json secret-token") == "the body is not JSON")
        #expect(problem(#"["secret-token"]"#) == "the body is not a JSON object")
        #expect(problem(#"{"type":"Notification"}"#) == "signature_version is missing")
        #expect(problem(#"{"type":"Hello","signature_version":"v1"}"#)?.contains("type is not one of") == true)
        #expect(problem(#"{"type":7}"#) == "type is not a string")
        let confirmation = #"{"type":"SubscriptionConfirmation","signature_version":"v1","topic_urn":"t","message_id":"m","timestamp":"x","signature":"s"}"#
        #expect(problem(confirmation) == "subscribe_url is missing")
        #expect(problem(String(repeating: " ", count: SMNMessage.maxBodyBytes + 1)) == "the body is larger than 256 KiB")
    }

    @Test func theCertificateIsReadWithItsFingerprint() throws {
        let key = try smn.key()
        #expect(key.subject.contains("Huawei-Cloud-SMN-Meter-Test"))
        let printed = String(decoding: try OpenSSLSMN.run(["x509", "-in", smn.certPath, "-noout", "-fingerprint", "-sha256"]), as: UTF8.self)
        #expect(printed.contains(key.fingerprint), "\(printed) vs \(key.fingerprint)")
        let der = smn.dir.file("cert.der")
        try OpenSSLSMN.run(["x509", "-in", smn.certPath, "-outform", "DER", "-out", der])
        #expect(try SMNSigningKey(contentsOf: der).fingerprint == key.fingerprint)
        #expect(throws: SMNKeyError.self) { try SMNSigningKey(contentsOf: smn.keyPath) }
        #expect(throws: SMNKeyError.self) { try SMNSigningKey(contentsOf: smn.dir.file("missing.pem")) }
    }
}

@Suite("CTS traces")
struct CTSTraceTests {
    @Test func theJobIDIsTakenFromEachDocumentedPlace() {
        let answers = [
            #"{"status":{"jobID":"j1"}}"#, #"{"jobID":"j1"}"#, #"{"jobid":"j1"}"#, #"{"status":{"jobId":"j1"}}"#,
            #"{"status":{"jobID":""},"jobid":"j1"}"#,
        ]
        for answer in answers {
            let trace = CTSTrace.traces(in: OpenSSLSMN.trace(response: answer))?.first
            #expect(trace?.responseJobID == "j1", "\(answer)")
        }
    }

    @Test func aResponseAsAnObjectOrWrappedTraceIsRead() {
        let wrapped = #"{"trace":{"service_type":"CCE","trace_name":"createNode","response":{"status":{"jobID":"j2"}}}}"#
        #expect(CTSTrace.traces(in: wrapped)?.first?.responseJobID == "j2")
        let list = "[\(OpenSSLSMN.trace(response: #"{"jobID":"a"}"#)),\(OpenSSLSMN.trace(response: #"{"jobID":"b"}"#))]"
        #expect(CTSTrace.traces(in: list)?.compactMap(\.responseJobID) == ["a", "b"])
    }

    @Test func clusterTracesNameTheirClusterAndNodeTracesDoNot() {
        let cluster = CTSTrace.traces(in: OpenSSLSMN.trace(response: ""))?.first
        #expect(cluster?.clusterID == "c-1")
        #expect(cluster?.responseJobID == nil)
        #expect(cluster?.jobType == "CreateCluster")
        let node = CTSTrace.traces(in: OpenSSLSMN.trace(name: "createNode", resourceType: "node", resourceID: "n-1", response: ""))?.first
        #expect(node?.clusterID == nil)
        #expect(node?.jobType == "CreateNode")
    }

    @Test func whatIsNotATraceIsNil() {
        #expect(CTSTrace.traces(in: "plain text") == nil)
        #expect(CTSTrace.traces(in: #"{"hello":"world"}"#) == nil)
        #expect(CTSTrace.traces(in: "[1,2]") == nil)
        let failed = CTSTrace.traces(in: OpenSSLSMN.trace(response: #"{"error_code":"CCE.01400001"}"#, code: "400"))?.first
        #expect(failed?.callSucceeded == false)
    }
}
