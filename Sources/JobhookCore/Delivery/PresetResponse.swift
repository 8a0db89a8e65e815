public import CurlHTTP
public import Foundation

/// How each chat vendor says "delivered", "slow down" and "never": several answer HTTP 200 on
/// failure and put the verdict in the body (reference/delivery.md). Unknown body errors count as
/// permanent: repeating a request the vendor refused would only spam its error log.
public enum PresetResponse {
    /// Waits the vendors ask for in prose rather than in `Retry-After`.
    static let dingTalkThrottle: Duration = .seconds(60)
    static let weComThrottle: Duration = .seconds(60)
    static let feishuThrottle: Duration = .seconds(2)

    public static func classify(_ preset: Receiver.Preset, _ response: HTTPResponse, now: Date) -> Outcome {
        switch preset {
        case .feishu: feishu(response, now: now)
        case .dingtalk: dingTalk(response, now: now)
        case .wecom: weCom(response, now: now)
        case .slack: slack(response, now: now)
        case .discord: discord(response, now: now)
        case .teams, .generic: Outcome.classify(response, now: now)
        }
    }

    /// `{"code":0}` (the old API: `{"StatusCode":0}`).
    static func feishu(_ response: HTTPResponse, now: Date) -> Outcome {
        guard (200..<300).contains(response.status) else { return Outcome.classify(response, now: now) }
        let json = object(response.body)
        guard let code = integer(json?["code"]) ?? integer(json?["StatusCode"]) else {
            return .permanent(reason: "HTTP \(response.status) without a Feishu result code: \(Outcome.bodyExcerpt(response.body))")
        }
        let message = (json?["msg"] as? String) ?? (json?["StatusMessage"] as? String) ?? ""
        switch code {
        case 0: return .delivered(status: response.status)
        case 11232: return .retryable(reason: describe("Feishu", code, message, "rate limited"), retryAfter: feishuThrottle)
        case 19021: return .permanent(reason: describe("Feishu", code, message, "bad signature or clock more than an hour off: check secret and the host's clock"))
        case 9499: return .permanent(reason: describe("Feishu", code, message, "bad request"))
        case 19024: return .permanent(reason: describe("Feishu", code, message, "the message lacks the bot's required keyword"))
        default: return .permanent(reason: describe("Feishu", code, message, nil))
        }
    }

    /// `{"errcode":0}`; 130101 "sending too fast" throttles the robot for minutes.
    static func dingTalk(_ response: HTTPResponse, now: Date) -> Outcome {
        errcode("DingTalk", response, now: now, slowDown: [130101: dingTalkThrottle], explained: [
            130101: "sending too fast",
            310000: "keyword, signature or IP check failed: check secret, keywords and the IP allow-list",
            300005: "the access_token is not valid",
        ])
    }

    /// `{"errcode":0}`; 45009 is the per-robot rate limit.
    static func weCom(_ response: HTTPResponse, now: Date) -> Outcome {
        errcode("WeCom", response, now: now, slowDown: [45009: weComThrottle], explained: [
            45009: "rate limited", 93000: "the webhook URL is not valid (robot removed?)",
        ])
    }

    /// Slack answers `ok` on success and a bare error string otherwise (`invalid_payload`,
    /// `channel_not_found`, `no_service`: permanent).
    static func slack(_ response: HTTPResponse, now: Date) -> Outcome {
        let text = String(decoding: response.body.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if response.status == 200 {
            return text == "ok" || text.isEmpty ? .delivered(status: 200) : .permanent(reason: "Slack answered \(text.isEmpty ? "nothing" : "'\(text)'")")
        }
        let outcome = Outcome.classify(response, now: now)
        switch text {
        case "no_service": return .permanent(reason: "HTTP \(response.status) no_service: the webhook is gone (disabled or removed)")
        case "invalid_payload", "channel_not_found", "channel_is_archived", "action_prohibited", "posting_to_general_channel_denied":
            return .permanent(reason: "HTTP \(response.status) \(text)")
        default: return outcome
        }
    }

    /// 204 (200 with `?wait=true`); 404 means the webhook was deleted; 429 carries JSON
    /// `retry_after` in (fractional) seconds, honoured even without a `Retry-After` header.
    static func discord(_ response: HTTPResponse, now: Date) -> Outcome {
        switch response.status {
        case 404:
            return .permanent(reason: "HTTP 404: the Discord webhook is gone (deleted or token revoked)")
        case 429:
            let headerHint = response.retryAfter(now: now)
            let bodyHint = double(object(response.body)?["retry_after"]).map { Duration.milliseconds(Int64(($0 * 1000).rounded(.up))) }
            let hint = [headerHint, bodyHint].compactMap { $0 }.max()
            return .retryable(reason: "HTTP 429: Discord rate limit", retryAfter: hint)
        default:
            return Outcome.classify(response, now: now)
        }
    }

    static func errcode(
        _ vendor: String, _ response: HTTPResponse, now: Date, slowDown: [Int: Duration], explained: [Int: String]
    ) -> Outcome {
        guard (200..<300).contains(response.status) else { return Outcome.classify(response, now: now) }
        let json = object(response.body)
        guard let code = integer(json?["errcode"]) else {
            return .permanent(reason: "HTTP \(response.status) without a \(vendor) errcode: \(Outcome.bodyExcerpt(response.body))")
        }
        if code == 0 { return .delivered(status: response.status) }
        let reason = describe(vendor, code, json?["errmsg"] as? String ?? "", explained[code])
        if let wait = slowDown[code] { return .retryable(reason: reason, retryAfter: wait) }
        return .permanent(reason: reason)
    }

    static func describe(_ vendor: String, _ code: Int, _ message: String, _ meaning: String?) -> String {
        var text = "\(vendor) error \(code)"
        if let meaning { text += " (\(meaning))" }
        if !message.isEmpty { text += ": \(String(message.prefix(200)))" }
        return text
    }

    static func object(_ body: Data) -> [String: Any]? {
        try? JSONSerialization.jsonObject(with: body) as? [String: Any]
    }

    static func integer(_ value: Any?) -> Int? {
        switch value {
        case let number as NSNumber: number.intValue
        case let text as String: Int(text)
        default: nil
        }
    }

    static func double(_ value: Any?) -> Double? {
        guard let number = value as? NSNumber else { return nil }
        let seconds = number.doubleValue
        return seconds.isFinite && seconds >= 0 ? seconds : nil
    }
}
