import Crypto
import CurlHTTP
import Foundation

/// Feishu / Lark custom bot: a plain text message, or an interactive card (lark_md text under a
/// coloured header) when there is a title — always for the default message.
struct Feishu: Preset {
    let name = "feishu"
    let hasTitle = true
    let signsWithSecret = true
    /// 5 a second and 100 a minute per bot.
    let defaultRateLimits = [RateLimit(count: 5, per: .seconds(1)), RateLimit(count: 100, per: .seconds(60))]
    let maxInFlight = 1

    /// The documented body limit is 20 KB; leave room for the `timestamp` and `sign` fields that
    /// signing adds on every attempt.
    static let bodyLimit = 20 * 1024 - 128
    /// The wait after code 11232 ("frequency limited"): Feishu sends no `Retry-After`.
    static let throttle: Duration = .seconds(2)

    // MARK: Body

    func body(_ message: PresetMessage) -> String {
        let text = Truncation.fit(message.text) { Self.render(message, text: $0).utf8.count <= Self.bodyLimit }
        return Self.render(message, text: text)
    }

    static func render(_ message: PresetMessage, text: String) -> String {
        guard let title = message.title, !title.isEmpty else {
            return JSONText.object([("msg_type", JSONText.quote("text")), ("content", JSONText.object([("text", JSONText.quote(text))]))])
        }
        let header = JSONText.object([
            ("title", JSONText.object([("tag", JSONText.quote("plain_text")), ("content", JSONText.quote(String(title.prefix(100))))])),
            ("template", JSONText.quote(color(message))),
        ])
        let div = JSONText.object([
            ("tag", JSONText.quote("div")),
            ("text", JSONText.object([("tag", JSONText.quote("lark_md")), ("content", JSONText.quote(text))])),
        ])
        let card = JSONText.object([
            ("config", #"{"wide_screen_mode":true}"#), ("header", header), ("elements", "[" + div + "]"),
        ])
        return JSONText.object([("msg_type", JSONText.quote("interactive")), ("card", card)])
    }

    static func color(_ message: PresetMessage) -> String {
        message.isFailure ? "red" : message.isSuccess ? "green" : "blue"
    }

    // MARK: Answers

    /// `{"code":0}` (the old API: `{"StatusCode":0}`).
    func classify(_ response: HTTPResponse, now: Date) -> Outcome {
        guard (200..<300).contains(response.status) else { return Outcome.classify(response, now: now) }
        let json = PresetResponse.object(response.body)
        guard let code = PresetResponse.integer(json?["code"]) ?? PresetResponse.integer(json?["StatusCode"]) else {
            return .permanent(reason: "HTTP \(response.status) without a Feishu result code: \(Outcome.bodyExcerpt(response.body))")
        }
        let message = (json?["msg"] as? String) ?? (json?["StatusMessage"] as? String) ?? ""
        func describe(_ meaning: String?) -> String { PresetResponse.describe("Feishu", code, message, meaning) }
        switch code {
        case 0: return .delivered(status: response.status)
        case 11232: return .retryable(reason: describe("rate limited"), retryAfter: Self.throttle, receiverDown: true)
        case 19021: return .permanent(reason: describe("bad signature or clock more than an hour off: check secret and the host's clock"))
        case 9499: return .permanent(reason: describe("bad request"))
        case 19024: return .permanent(reason: describe("the message lacks the bot's required keyword"))
        default: return .permanent(reason: describe(nil))
        }
    }

    // MARK: Signing

    /// `timestamp` (unix seconds, a string) and `sign` go in the JSON body.
    func sign(_ request: inout HTTPRequest, secret: String, now: Date) {
        request.body = Self.signed(body: request.body ?? Data("{}".utf8), secret: secret, timestamp: Int(now.timeIntervalSince1970))
    }

    /// Feishu's algorithm keys the HMAC with `timestamp + "\n" + secret` and signs an empty message.
    static func signature(secret: String, timestamp: Int) -> String {
        let key = SymmetricKey(data: Data("\(timestamp)\n\(secret)".utf8))
        return Data(HMAC<SHA256>.authenticationCode(for: Data(), using: key)).base64EncodedString()
    }

    /// The body with `"timestamp"` and `"sign"` set as the object's first members. Our preset bodies
    /// are JSON objects we wrote ourselves, so the fields are spliced in and every other byte is
    /// kept; a body that already carries them (a hand-written `body:`) is re-encoded without them
    /// first. A body that is not a JSON object is left alone.
    static func signed(body: Data, secret: String, timestamp: Int) -> Data {
        var body = body
        if let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
           object["sign"] != nil || object["timestamp"] != nil {
            var stripped = object
            stripped["sign"] = nil
            stripped["timestamp"] = nil
            guard let data = try? JSONSerialization.data(withJSONObject: stripped, options: [.sortedKeys, .withoutEscapingSlashes])
            else { return body }
            body = data
        }
        guard let open = body.firstIndex(where: { !isJSONSpace($0) }), body[open] == UInt8(ascii: "{") else { return body }
        let rest = body[body.index(after: open)...]
        let isEmptyObject = rest.first(where: { !isJSONSpace($0) }) == UInt8(ascii: "}")
        var out = Data("{\"timestamp\":\"\(timestamp)\",\"sign\":\"\(signature(secret: secret, timestamp: timestamp))\"".utf8)
        if !isEmptyObject { out.append(UInt8(ascii: ",")) }
        out.append(contentsOf: rest)
        return out
    }

    private static func isJSONSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }
}
