public import Foundation

/// The checks every SMN message passes before anything is done with it (SPEC § Push intake), pure so
/// each is tested alone: the topic is listed, the signature version is known, the signature verifies
/// with the signing key, the timestamp is within `max_age` and not more than 5 minutes ahead.
///
/// The topic comes first (cheapest, and an unlisted topic needs no certificate), then the signature,
/// then the time: "stale" then always means a genuine message that arrived late — a clock to look
/// at — never a forgery.
public enum SMNAdmission {
    /// How far ahead of our clock a timestamp may be (SMN's clock and ours drift apart).
    public static let futureSkew: TimeInterval = 300

    /// Why a message is refused: the log's `reason`, the 403 answer's words.
    public enum Refusal: Sendable, Hashable, CustomStringConvertible {
        case tooLarge
        case malformed(String)
        case topicNotListed
        case signatureVersion
        case noCertificate(String)
        case badSignature
        case stale
        case future
        case badTimestamp

        /// A short stable name for logs.
        public var reason: String {
            switch self {
            case .tooLarge: "too_large"
            case .malformed: "malformed"
            case .topicNotListed: "topic_not_listed"
            case .signatureVersion: "signature_version"
            case .noCertificate: "no_certificate"
            case .badSignature: "bad_signature"
            case .stale: "stale"
            case .future: "future"
            case .badTimestamp: "bad_timestamp"
            }
        }

        public var description: String {
            switch self {
            case .tooLarge: "the body is larger than 256 KiB"
            case .malformed(let why): "not an SMN message: \(why)"
            case .topicNotListed: "the topic is not in intake.smn.topics"
            case .signatureVersion: "unsupported signature_version (only v1 is known)"
            case .noCertificate(let why): "no signing certificate to check the signature with: \(why)"
            case .badSignature: "the signature does not verify with the signing certificate"
            case .stale: "the timestamp is older than intake.smn.max_age"
            case .future: "the timestamp is more than 5 minutes in the future"
            case .badTimestamp: "the timestamp is not an RFC 3339 time"
            }
        }
    }

    /// The topic check alone (before a certificate is looked up).
    public static func topic(_ message: SMNMessage, listed topics: Set<String>) -> Refusal? {
        guard topics.contains(message.topicURN) else { return .topicNotListed }
        guard message.signatureVersion == "v1" else { return .signatureVersion }
        return nil
    }

    /// The signature and the timestamp, once the key is known.
    public static func authentic(_ message: SMNMessage, key: SMNSigningKey, maxAge: TimeInterval, now: Date) -> Refusal? {
        guard key.verifies(message.signature, of: message.stringToSign) else { return .badSignature }
        guard let sent = message.date else { return .badTimestamp }
        if sent < now.addingTimeInterval(-maxAge) { return .stale }
        if sent > now.addingTimeInterval(futureSkew) { return .future }
        return nil
    }
}
