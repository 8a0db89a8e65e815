public import Foundation

/// `Retry-After` as servers send it (RFC 9110 §10.2.3): delta-seconds or an HTTP date. The one parser
/// for CCE answers and webhook receivers alike.
public enum RetryAfter {
    /// A non-negative wait, or nil when the value is missing or neither form. A date in the past
    /// means "now" (zero); fractional seconds are tolerated, negative ones are not.
    public static func parse(_ value: String?, now: Date) -> Duration? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if value.first?.isASCII == true, value.first?.isNumber == true || value.first == "." {
            guard let seconds = Double(value), seconds.isFinite, seconds >= 0 else { return nil }
            return .milliseconds(Int64(min(seconds, maxSeconds) * 1000))
        }
        guard let date = HTTPDate.parse(value) else { return nil }
        return .milliseconds(Int64(min(max(0, date.timeIntervalSince(now)), maxSeconds) * 1000))
    }

    /// Far beyond any retry horizon (a year), only to keep the arithmetic finite.
    static let maxSeconds: Double = 365 * 86_400
}

extension HTTPResponse {
    /// The `Retry-After` header as a wait from `now`; nil when absent or unreadable.
    public func retryAfter(now: Date) -> Duration? {
        RetryAfter.parse(header("Retry-After"), now: now)
    }
}
