import Foundation

/// One message as SMN POSTs it to an HTTP(S) subscriber: the JSON envelope, signed with
/// `signature_version` v1 (reference: "SMN HTTP(S) subscriptions").
public struct SMNMessage: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case notification = "Notification"
        case subscriptionConfirmation = "SubscriptionConfirmation"
        case unsubscribeConfirmation = "UnsubscribeConfirmation"
    }

    public var type: Kind
    public var signatureVersion = "v1"
    public var topicURN: String
    /// 32 lowercase hex digits.
    public var messageID: String
    /// Notifications: the producer's document (a CTS trace) as a JSON string; confirmations: prose.
    public var message: String
    /// Notifications only; left out of the string to sign when empty or absent.
    public var subject: String?
    /// Confirmations only: the subscriber GETs it to confirm.
    public var subscribeURL: String?
    /// Notifications only.
    public var unsubscribeURL: String?
    public var signingCertURL: String
    /// UTC, whole seconds: `2024-07-10T09:43:44Z`.
    public var timestamp: String
    public var signature: String = ""

    enum CodingKeys: String, CodingKey {
        case type, message, subject, timestamp, signature
        case signatureVersion = "signature_version", topicURN = "topic_urn", messageID = "message_id"
        case subscribeURL = "subscribe_url", unsubscribeURL = "unsubscribe_url", signingCertURL = "signing_cert_url"
    }

    /// What v1 signs: for each key in order, `key + "\n" + value + "\n"` (a newline after the last too).
    public var stringToSign: String {
        var fields: [(String, String)] = [("message", message), ("message_id", messageID)]
        switch type {
        case .notification:
            if let subject, !subject.isEmpty { fields.append(("subject", subject)) }
        case .subscriptionConfirmation, .unsubscribeConfirmation:
            fields.append(("subscribe_url", subscribeURL ?? ""))
        }
        fields += [("timestamp", timestamp), ("topic_urn", topicURN), ("type", type.rawValue)]
        return fields.map { "\($0.0)\n\($0.1)\n" }.joined()
    }

    /// This message with `signature` set by `identity`.
    func signed(by identity: SMNSigningIdentity) throws -> SMNMessage {
        var copy = self
        copy.signature = try identity.sign(stringToSign)
        return copy
    }

    /// The body SMN POSTs (snake_case keys, nil fields left out).
    var body: Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data("{}".utf8)
    }

    /// SMN's timestamp form: UTC, whole seconds, `Z`.
    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!))
    }
}
