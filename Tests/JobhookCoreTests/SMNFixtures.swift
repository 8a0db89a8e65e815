import Foundation
import JobhookCore
import TestSupport

/// SMN messages signed by OpenSSL — an independent implementation — so the verifier is checked
/// against bytes our own code did not produce. The string to sign is spelled out here from the
/// reference (key, newline, value, newline, in the documented order), not taken from `SMNMessage`.
final class OpenSSLSMN: Sendable {
    let dir: TempDirectory
    let keyPath: String
    let certPath: String
    static let topic = "urn:smn:cn-north-4:0a1b2c3d4e5f:cce-events"

    init(commonName: String = "Huawei-Cloud-SMN-Meter-Test") throws {
        dir = try TempDirectory("jobhook-smn")
        keyPath = dir.file("key.pem")
        certPath = dir.file("cert.pem")
        try Self.run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyPath, "-out", certPath,
                      "-subj", "/CN=\(commonName)", "-days", "2"])
    }

    deinit { dir.cleanUp() }

    func key() throws -> SMNSigningKey { try SMNSigningKey(contentsOf: certPath) }

    /// `openssl dgst -sha256 -sign key.pem` of `text`, base64.
    func sign(_ text: String) throws -> String {
        let input = dir.file("input-\(UUID().uuidString)")
        try Data(text.utf8).write(to: URL(fileURLWithPath: input))
        defer { try? FileManager.default.removeItem(atPath: input) }
        return try Self.run(["dgst", "-sha256", "-sign", keyPath, input]).base64EncodedString()
    }

    static func timestamp(_ date: Date = Date()) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// A signed notification; `subject` nil or empty leaves it out of the string to sign.
    func notification(message: String, subject: String? = "CCE key event", id: String = UUID().uuidString,
                      topic: String = OpenSSLSMN.topic, at date: Date = Date()) throws -> [String: String] {
        let timestamp = Self.timestamp(date)
        var text = "message\n\(message)\nmessage_id\n\(id)\n"
        if let subject, !subject.isEmpty { text += "subject\n\(subject)\n" }
        text += "timestamp\n\(timestamp)\ntopic_urn\n\(topic)\ntype\nNotification\n"
        var fields = [
            "type": "Notification", "signature_version": "v1", "topic_urn": topic, "message_id": id, "message": message,
            "timestamp": timestamp, "unsubscribe_url": "https://smn.example.com/unsubscribe?token=t",
            "signing_cert_url": "https://smn.example.com/cert.pem", "signature": try sign(text),
        ]
        if let subject { fields["subject"] = subject }
        return fields
    }

    /// A signed SubscriptionConfirmation (or UnsubscribeConfirmation) pointing at `subscribeURL`.
    func confirmation(subscribeURL: String, type: String = "SubscriptionConfirmation", id: String = UUID().uuidString,
                      topic: String = OpenSSLSMN.topic, at date: Date = Date()) throws -> [String: String] {
        let timestamp = Self.timestamp(date)
        let message = "You are invited to subscribe to topic: \(topic)."
        let text = "message\n\(message)\nmessage_id\n\(id)\nsubscribe_url\n\(subscribeURL)\ntimestamp\n\(timestamp)\n"
            + "topic_urn\n\(topic)\ntype\n\(type)\n"
        return [
            "type": type, "signature_version": "v1", "topic_urn": topic, "message_id": id, "message": message,
            "subscribe_url": subscribeURL, "timestamp": timestamp, "signing_cert_url": "https://smn.example.com/cert.pem",
            "signature": try sign(text),
        ]
    }

    static func body(_ fields: [String: String]) -> Data {
        (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])) ?? Data()
    }

    /// A CTS trace of a CCE call as `message` text; `response` is the API answer (JSON text) or "".
    static func trace(name: String = "createCluster", resourceType: String = "cluster", resourceID: String = "c-1",
                      response: String, code: String = "201", service: String = "CCE") -> String {
        let fields: [String: Any] = [
            "trace_id": UUID().uuidString, "trace_name": name, "trace_rating": "normal", "trace_type": "ApiCall",
            "service_type": service, "resource_type": resourceType, "resource_id": resourceID, "resource_name": "demo",
            "code": code, "request": "{}", "response": response, "time": 1_700_000_000_000, "record_time": 1_700_000_000_100,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    static func clusterAnswer(jobID: String) -> String {
        #"{"kind":"Cluster","metadata":{"uid":"c-1"},"status":{"phase":"Creating","jobID":"\#(jobID)"}}"#
    }

    @discardableResult
    static func run(_ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw OpenSSLFailure(arguments: arguments) }
        return data
    }

    struct OpenSSLFailure: Error { var arguments: [String] }
}
