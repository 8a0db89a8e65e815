public import Foundation

/// `Retry-After` as servers send it: delta-seconds or an HTTP date (RFC 9110 §10.2.3).
public enum RetryAfter {
    public static func parse(_ value: String?, now: Date) -> Duration? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Double(value), seconds >= 0, seconds.isFinite {
            return .milliseconds(Int64(seconds * 1000))
        }
        guard let date = httpDate(value) else { return nil }
        let delta = date.timeIntervalSince(now)
        return .milliseconds(Int64(max(0, delta) * 1000))
    }

    /// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the only form servers should send.
    static func httpDate(_ value: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: value)
    }
}
