import CurlHTTP
import Foundation

/// Slack incoming webhook: Block Kit (an optional header and mrkdwn sections) plus the top-level
/// `text`, which Slack shows in notifications and where blocks cannot render.
struct Slack: Preset {
    let name = "slack"
    let hasTitle = true
    /// About one message a second per webhook.
    let defaultRateLimits = [RateLimit(count: 1, per: .seconds(1))]
    let maxInFlight = 1

    /// Slack's limit on one section's text.
    static let sectionLimit = 3000
    static let headerLimit = 150

    func body(_ message: PresetMessage) -> String {
        let text = Truncation.utf16(message.text, limit: Self.sectionLimit)
        var blocks: [String] = []
        var fallback = text
        if let title = message.title, !title.isEmpty {
            let plain = JSONText.object([("type", JSONText.quote("plain_text")), ("text", JSONText.quote(Truncation.utf16(title, limit: Self.headerLimit)))])
            blocks.append(JSONText.object([("type", JSONText.quote("header")), ("text", plain)]))
            fallback = title
        }
        let mrkdwn = JSONText.object([("type", JSONText.quote("mrkdwn")), ("text", JSONText.quote(text))])
        blocks.append(JSONText.object([("type", JSONText.quote("section")), ("text", mrkdwn)]))
        return JSONText.object([("text", JSONText.quote(fallback)), ("blocks", "[" + blocks.joined(separator: ",") + "]")])
    }

    /// Slack answers `ok` on success and a bare error string otherwise (`invalid_payload`,
    /// `channel_not_found`, `no_service`: permanent).
    func classify(_ response: HTTPResponse, now: Date) -> Outcome {
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
}
