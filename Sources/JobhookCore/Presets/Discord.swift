import CurlHTTP
import Foundation

/// Discord webhook: `content` (at most 2000 characters) with every mention disabled, so a reason
/// quoting `@everyone` pings nobody.
struct Discord: Preset {
    let name = "discord"
    let hasTitle = false
    /// Discord's usual per-webhook bucket.
    let defaultRateLimits = [RateLimit(count: 5, per: .seconds(2))]
    let maxInFlight = 1

    static let contentLimit = 2000

    func body(_ message: PresetMessage) -> String {
        var text = message.text
        if let title = message.title, !title.isEmpty { text = "**\(title)**\n" + text }
        return JSONText.object([
            ("content", JSONText.quote(Truncation.utf16(text, limit: Self.contentLimit))), ("allowed_mentions", #"{"parse":[]}"#),
        ])
    }

    /// 204 (200 with `?wait=true`); 404 means the webhook was deleted; 429 carries JSON
    /// `retry_after` in (fractional) seconds, honoured even without a `Retry-After` header.
    func classify(_ response: HTTPResponse, now: Date) -> Outcome {
        switch response.status {
        case 404:
            return .permanent(reason: "HTTP 404: the Discord webhook is gone (deleted or token revoked)")
        case 429:
            let headerHint = response.retryAfter(now: now)
            let bodyHint = PresetResponse.double(PresetResponse.object(response.body)?["retry_after"])
                .map { Duration.milliseconds(Int64(($0 * 1000).rounded(.up))) }
            let hint = [headerHint, bodyHint].compactMap { $0 }.max()
            return .retryable(reason: "HTTP 429: Discord rate limit", retryAfter: hint, receiverDown: true)
        default:
            return Outcome.classify(response, now: now)
        }
    }
}
