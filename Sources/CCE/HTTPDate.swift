import Foundation

/// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the form of `Date` and `Retry-After` headers.
enum HTTPDate {
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func parse(_ text: String) -> Date? {
        // "Sun, 06 Nov 1994 08:49:37 GMT"
        let parts = text.trimmingWhitespace().split(separator: " ")
        guard parts.count == 6, parts[0].hasSuffix(","), parts[5] == "GMT" || parts[5] == "UTC",
              parts[1].count == 2, let month = months.firstIndex(of: String(parts[2])), parts[3].count == 4
        else { return nil }
        let month2 = month + 1 < 10 ? "0\(month + 1)" : "\(month + 1)"
        return GoTimestamp.parse("\(parts[3])-\(month2)-\(parts[1])T\(parts[4])Z")
    }

    static func format(_ date: Date) -> String {
        let go = GoTimestamp.format(date)  // 2018-08-02 08:12:40[.f] +0000 UTC
        let fields = go.split(separator: " ")
        guard fields.count >= 2 else { return "" }
        let ymd = fields[0].split(separator: "-")
        guard ymd.count == 3, let month = Int(ymd[1]), let year = Int(ymd[0]), let day = Int(ymd[2]) else { return "" }
        let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let days = Int((date.timeIntervalSince1970 / 86_400).rounded(.down))
        let weekday = weekdays[((days % 7) + 7 + 4) % 7]
        let time = fields[1].prefix(8)
        return "\(weekday), \(day < 10 ? "0" : "")\(day) \(months[month - 1]) \(year) \(time) GMT"
    }
}
