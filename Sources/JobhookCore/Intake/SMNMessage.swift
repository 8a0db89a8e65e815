public import Foundation

/// One message SMN POSTs to an HTTP(S) subscription: a subscription or unsubscription confirmation,
/// or a notification carrying a producer's payload (for us, a CTS trace) as a string in `message`.
///
/// Decoding only reads the envelope; nothing here is trusted before `SMNAdmission` has checked the
/// topic, the signature and the timestamp. Field facts: reference/discovery-and-push.md.
public struct SMNMessage: Sendable, Hashable {
    /// The message types SMN documents; the envelope's `type`.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case subscriptionConfirmation = "SubscriptionConfirmation"
        case notification = "Notification"
        case unsubscribeConfirmation = "UnsubscribeConfirmation"

        /// The envelope keys the v1 signature covers, in signing order.
        var signedKeys: [String] {
            switch self {
            case .notification: ["message", "message_id", "subject", "timestamp", "topic_urn", "type"]
            case .subscriptionConfirmation, .unsubscribeConfirmation:
                ["message", "message_id", "subscribe_url", "timestamp", "topic_urn", "type"]
            }
        }
    }

    public var kind: Kind
    /// `signature_version`: "v1" is the only one documented.
    public var signatureVersion: String
    public var topicURN: String
    public var messageID: String
    public var message: String
    public var subject: String?
    public var subscribeURL: String?
    public var unsubscribeURL: String?
    public var signingCertURL: String?
    /// As sent (`2024-07-10T09:43:44Z`): the signature covers this text, not a reformatted date.
    public var timestamp: String
    /// Base64 of the RSA signature.
    public var signature: String

    /// The largest body the route reads (SPEC: 413 above it).
    public static let maxBodyBytes = 256 * 1024

    /// Reads the envelope. Unknown fields are ignored; a missing or non-string required field, or a
    /// `type` SMN does not document, is an error that names the field (never its value).
    public static func decode(_ data: Data) throws(SMNMessageError) -> SMNMessage {
        guard data.count <= maxBodyBytes else { throw SMNMessageError("the body is larger than 256 KiB") }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data, options: [])
        } catch {
            throw SMNMessageError("the body is not JSON")
        }
        guard let fields = object as? [String: Any] else { throw SMNMessageError("the body is not a JSON object") }
        func text(_ key: String) throws(SMNMessageError) -> String? {
            guard let value = fields[key], !(value is NSNull) else { return nil }
            guard let string = value as? String else { throw SMNMessageError("\(key) is not a string") }
            return string
        }
        func required(_ key: String) throws(SMNMessageError) -> String {
            guard let value = try text(key), !value.isEmpty else { throw SMNMessageError("\(key) is missing") }
            return value
        }
        let type = try required("type")
        guard let kind = Kind(rawValue: type) else {
            throw SMNMessageError("type is not one of \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var decoded = SMNMessage(
            kind: kind, signatureVersion: try required("signature_version"), topicURN: try required("topic_urn"),
            messageID: try required("message_id"), message: try text("message") ?? "", subject: try text("subject"),
            subscribeURL: try text("subscribe_url"), unsubscribeURL: try text("unsubscribe_url"),
            signingCertURL: try text("signing_cert_url"), timestamp: try required("timestamp"), signature: try required("signature"))
        if kind != .notification, decoded.subscribeURL?.isEmpty ?? true { throw SMNMessageError("subscribe_url is missing") }
        if decoded.subject?.isEmpty == true { decoded.subject = nil }
        return decoded
    }

    /// The v1 string to sign: `key\nvalue\n` for each signed key in order; a notification leaves
    /// `subject` out (key and value) when it is empty or absent.
    public var stringToSign: String {
        var text = ""
        for key in kind.signedKeys {
            let value: String?
            switch key {
            case "message": value = message
            case "message_id": value = messageID
            case "subject": value = subject
            case "subscribe_url": value = subscribeURL
            case "timestamp": value = timestamp
            case "topic_urn": value = topicURN
            default: value = kind.rawValue
            }
            guard let value, !value.isEmpty || key != "subject" else { continue }
            text += key + "\n" + value + "\n"
        }
        return text
    }

    /// `timestamp` as a date: RFC 3339 in UTC or with an offset, with or without fractional seconds.
    public var date: Date? { Self.parseTimestamp(timestamp) }

    static func parseTimestamp(_ text: String) -> Date? {
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: false).parse(text) { return date }
        return try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)
    }
}

/// Why a body is not an SMN message: a phrase for the log and the 403 answer, never quoting the body.
public struct SMNMessageError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
