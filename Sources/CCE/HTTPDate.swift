import Foundation
import Synchronization

/// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the form of `Date` and `Retry-After` headers.
enum HTTPDate {
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    private static let last = Mutex<(text: String, date: Date)?>(nil)

    /// `parse`, remembering the last answer: every CCE response carries a `Date`, and it changes
    /// once a second, not once a poll.
    static func parseRepeated(_ text: String) -> Date? {
        if let hit = last.withLock({ $0?.text == text ? $0?.date : nil }) { return hit }
        guard let date = parse(text) else { return nil }
        last.withLock { $0 = (text, date) }
        return date
    }

    static func parse(_ text: String) -> Date? {
        // "Sun, 06 Nov 1994 08:49:37 GMT"
        let parts = text.trimmingWhitespace().split(separator: " ")
        guard parts.count == 6, parts[0].hasSuffix(","), parts[5] == "GMT" || parts[5] == "UTC",
              parts[1].count == 2, let month = months.firstIndex(of: String(parts[2])), parts[3].count == 4
        else { return nil }
        let month2 = month + 1 < 10 ? "0\(month + 1)" : "\(month + 1)"
        return GoTimestamp.parse("\(parts[3])-\(month2)-\(parts[1])T\(parts[4])Z")
    }
}
