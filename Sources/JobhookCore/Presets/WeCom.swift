import CurlHTTP
import Foundation

/// WeCom (企业微信) group robot: a markdown message; a title becomes a `###` heading.
struct WeCom: Preset {
    let name = "wecom"
    let hasTitle = false
    /// 20 a minute per robot.
    let defaultRateLimits = [RateLimit(count: 20, per: .seconds(60))]
    let maxInFlight = 1

    /// WeCom rejects markdown over 4096 bytes (UTF-8).
    static let contentLimit = 4096
    /// The wait after code 45009 (the per-robot rate limit): WeCom sends no `Retry-After`.
    static let throttle: Duration = .seconds(60)

    func body(_ message: PresetMessage) -> String {
        var text = message.text
        if let title = message.title, !title.isEmpty { text = "### \(title)\n" + text }
        let markdown = JSONText.object([("content", JSONText.quote(Truncation.utf8(text, limit: Self.contentLimit)))])
        return JSONText.object([("msgtype", JSONText.quote("markdown")), ("markdown", markdown)])
    }

    /// `{"errcode":0}`.
    func classify(_ response: HTTPResponse, now: Date) -> Outcome {
        PresetResponse.errcode("WeCom", response, now: now, slowDown: [45009: Self.throttle], explained: [
            45009: "rate limited", 93000: "the webhook URL is not valid (robot removed?)",
        ])
    }
}
