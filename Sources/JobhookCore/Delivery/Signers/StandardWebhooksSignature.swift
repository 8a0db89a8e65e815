public import Foundation
import Crypto

/// Standard Webhooks signatures (`webhook-signature: v1,<base64>`): HMAC-SHA256 over
/// `{webhook-id}.{webhook-timestamp}.{body}` keyed with the base64 secret after its `whsec_` prefix.
/// Several secrets (key rotation) give several space-separated signatures.
public enum StandardWebhooksSignature {
    /// The header value; secrets that are not valid base64 are skipped (the config loader rejects them).
    public static func header(secrets: [String], id: String, timestamp: Int, body: Data) -> String {
        secrets.compactMap { sign(secret: $0, id: id, timestamp: timestamp, body: body) }.joined(separator: " ")
    }

    public static func sign(secret: String, id: String, timestamp: Int, body: Data) -> String? {
        guard let key = key(from: secret) else { return nil }
        var message = Data("\(id).\(timestamp).".utf8)
        message.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key))
        return "v1," + Data(mac).base64EncodedString()
    }

    /// The raw key of a `whsec_…` secret; nil when it is not base64.
    public static func key(from secret: String) -> Data? {
        let encoded = secret.hasPrefix("whsec_") ? String(secret.dropFirst(6)) : secret
        return Data(base64Encoded: encoded)
    }
}
