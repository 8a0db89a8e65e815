public import Foundation

/// Per-receiver sliding-window limits on attempts started: at most `count` in any `per`. Pure and
/// `Sendable` so the dispatcher holds one as actor state and tests drive it with explicit dates.
/// A refused attempt is not dropped: the caller leaves the delivery queued and looks again at the
/// returned date, when the oldest start leaves the window.
public struct RateLimiter: Sendable {
    /// Start times per receiver, oldest first, kept only as long as the longest window.
    private var starts: [String: [Date]] = [:]

    public init() {}

    /// Records a start and returns nil when every limit has room at `now`; otherwise records
    /// nothing and returns when the first slot frees.
    public mutating func acquire(_ receiver: String, limits: [RateLimit], now: Date) -> Date? {
        guard !limits.isEmpty else { return nil }
        let longest = limits.map(\.per.seconds).max() ?? 0
        var history = starts[receiver, default: []].filter { now.timeIntervalSince($0) < longest }
        var freeAt: Date?
        for limit in limits {
            let window = limit.per.seconds
            let recent = history.filter { now.timeIntervalSince($0) < window }
            if recent.count >= limit.count {
                // The slot frees when the start `count` places back leaves this window.
                let free = recent[recent.count - limit.count].addingTimeInterval(window)
                freeAt = max(freeAt ?? free, free)
            }
        }
        if let freeAt {
            starts[receiver] = history
            return freeAt
        }
        history.append(now)
        starts[receiver] = history
        return nil
    }
}
