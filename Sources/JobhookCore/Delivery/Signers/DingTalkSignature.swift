public import Foundation
import Crypto

/// DingTalk robot signing: `&timestamp=<ms>&sign=<urlencoded base64>` in the query. Unlike Feishu,
/// the HMAC is keyed with the secret and signs `timestamp_ms + "\n" + secret`. DingTalk refuses a
/// timestamp more than an hour off, so every attempt signs afresh.
public enum DingTalkSignature {
    /// The `sign` query value, already percent-encoded.
    public static func sign(secret: String, timestampMillis: Int64) -> String {
        let mac = HMAC<SHA256>.authenticationCode(
            for: Data("\(timestampMillis)\n\(secret)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return percentEncode(Data(mac).base64EncodedString())
    }

    /// `url` with `timestamp` and `sign` appended to its query.
    public static func signed(url: String, secret: String, timestampMillis: Int64) -> String {
        let separator = url.contains("?") ? (url.hasSuffix("?") || url.hasSuffix("&") ? "" : "&") : "?"
        return url + separator + "timestamp=\(timestampMillis)&sign=\(sign(secret: secret, timestampMillis: timestampMillis))"
    }

    /// Everything but RFC 3986 unreserved characters encoded (`+`, `/`, `=` in base64 above all).
    static func percentEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            let c = Character(UnicodeScalar(byte))
            if c.isASCII, c.isLetter || c.isNumber || "-._~".contains(c) {
                out.append(c)
            } else {
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }
}
