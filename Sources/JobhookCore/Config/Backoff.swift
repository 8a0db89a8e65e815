import Foundation

/// The one exponential backoff with jitter, for failed polls and failed deliveries alike.
///
/// The wait before retry n (n = 1 after the first failure) is drawn uniformly between `initial` and
/// min(`maximum`, `initial`·2^(n-1)): "full jitter" with a floor, so a retry storm spreads out but
/// never hammers. Pure: `random` draws uniformly from 0..<1, so tests pin it.
public struct Backoff: Sendable, Hashable {
    public var initial: Duration
    public var maximum: Duration

    public init(initial: Duration, maximum: Duration) {
        self.initial = initial
        self.maximum = maximum
    }

    public func wait(beforeRetry n: Int, random: () -> Double) -> Duration {
        let low = initial.seconds
        let exponent = Double(min(max(n - 1, 0), 62))
        let high = max(low, min(maximum.seconds, low * pow(2, exponent)))
        let drawn = low + (high - low) * min(max(random(), 0), 1)
        return .milliseconds(Int64(drawn * 1000))
    }
}
