import CCE
/// At most `count` requests per `per` to one receiver (chat bots throttle: DingTalk and WeCom allow
/// 20 a minute). Written `rate_limit: 20/1m` or `rate_limit: {count: 20, per: 1m}`.
public struct RateLimit: Sendable, Hashable {
    public var count: Int
    public var per: Duration

    public init(count: Int, per: Duration) {
        self.count = count
        self.per = per
    }

    /// `20/1m`; nil when the text is not in that form.
    public static func parse(_ text: String) -> RateLimit? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let count = Int(String(parts[0]).trimmingSpaces), count > 0,
              let per = DurationText.parse(String(parts[1]))
        else { return nil }
        return RateLimit(count: count, per: per)
    }
}
