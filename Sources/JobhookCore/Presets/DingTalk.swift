import Crypto
import CurlHTTP
import Foundation

/// DingTalk custom robot: a markdown message (the title is what the notification preview shows).
struct DingTalk: Preset {
    let name = "dingtalk"
    let hasTitle = true
    let signsWithSecret = true
    /// 20 a minute per robot; going over throttles the robot for 10 minutes.
    let defaultRateLimits = [RateLimit(count: 20, per: .seconds(60))]
    let maxInFlight = 1

    /// DingTalk documents about 20000 bytes for a message.
    static let textLimit = 20000
    /// DingTalk asks for at least 60 s after code 130101 ("sending too fast"), in prose, not `Retry-After`.
    static let throttle: Duration = .seconds(60)

    // MARK: Body

    func body(_ message: PresetMessage) -> String {
        let title = message.title.flatMap { $0.isEmpty ? nil : $0 } ?? Self.firstLine(message.text)
        let markdown = JSONText.object([
            ("title", JSONText.quote(String(title.prefix(64)))),
            ("text", JSONText.quote(Truncation.utf8(message.text, limit: Self.textLimit))),
        ])
        return JSONText.object([("msgtype", JSONText.quote("markdown")), ("markdown", markdown)])
    }

    /// The first line without markdown markers, for the preview title.
    static func firstLine(_ text: String) -> String {
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return String(String(line.filter { $0 != "#" && $0 != "*" && $0 != "`" }).trimmingSpaces)
    }

    // MARK: Answers

    /// `{"errcode":0}`.
    func classify(_ response: HTTPResponse, now: Date) -> Outcome {
        PresetResponse.errcode("DingTalk", response, now: now, slowDown: [130101: Self.throttle], explained: [
            130101: "sending too fast",
            310000: "keyword, signature or IP check failed: check secret, keywords and the IP allow-list",
            300005: "the access_token is not valid",
        ])
    }

    // MARK: Signing

    /// `&timestamp=<ms>&sign=<urlencoded base64>` in the query.
    func sign(_ request: inout HTTPRequest, secret: String, now: Date) {
        request.url = Self.signed(url: request.url, secret: secret, timestampMillis: Int64((now.timeIntervalSince1970 * 1000).rounded(.down)))
    }

    /// The `sign` query value, already percent-encoded. Unlike Feishu, the HMAC is keyed with the
    /// secret and signs `timestamp_ms + "\n" + secret`.
    static func signature(secret: String, timestampMillis: Int64) -> String {
        let mac = HMAC<SHA256>.authenticationCode(
            for: Data("\(timestampMillis)\n\(secret)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return percentEncode(Data(mac).base64EncodedString())
    }

    /// `url` with `timestamp` and `sign` appended to its query.
    static func signed(url: String, secret: String, timestampMillis: Int64) -> String {
        let separator = url.contains("?") ? (url.hasSuffix("?") || url.hasSuffix("&") ? "" : "&") : "?"
        return url + separator + "timestamp=\(timestampMillis)&sign=\(signature(secret: secret, timestampMillis: timestampMillis))"
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
