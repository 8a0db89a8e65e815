import CurlHTTP
import Foundation

/// Reading chat vendors' answers: several answer HTTP 200 on failure and put the verdict in the body
/// (docs/PRESETS.md). Unknown body errors count as permanent: repeating a request the vendor
/// refused would only spam its error log. Each vendor's codes live in its own file.
enum PresetResponse {
    /// `{"errcode":0,"errmsg":"ok"}` (DingTalk, WeCom): `slowDown` codes are retried after their wait,
    /// every other non-zero code is permanent; `explained` says what a code means.
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
        if let wait = slowDown[code] { return .retryable(reason: reason, retryAfter: wait, receiverDown: true) }
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
