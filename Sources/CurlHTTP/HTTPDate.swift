public import Foundation
import Synchronization

/// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`, RFC 9110 §5.6.7), the form of `Date` and
/// `Retry-After` headers. Parsed by hand: a `DateFormatter` is costly to build and locale-dependent.
public enum HTTPDate {
    private static let months: [Substring] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    // A lock, not an actor: this runs synchronously on the curl thread for every CCE answer.
    private static let last = Mutex<(text: String, date: Date)?>(nil)

    /// `parse`, remembering the last answer: every CCE response carries a `Date`, and it changes
    /// once a second, not once a poll.
    public static func parseRepeated(_ text: String) -> Date? {
        if let hit = last.withLock({ $0?.text == text ? $0?.date : nil }) { return hit }
        guard let date = parse(text) else { return nil }
        last.withLock { $0 = (text, date) }
        return date
    }

    /// Nil for anything but `Day, DD Mon YYYY HH:MM:SS GMT` (`UTC` tolerated).
    public static func parse(_ text: String) -> Date? {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 6, parts[0].count == 4, parts[0].hasSuffix(","), parts[5] == "GMT" || parts[5] == "UTC",
              parts[1].count == 2, let day = Int(parts[1]), (1...31).contains(day),
              let month = months.firstIndex(of: parts[2]),
              parts[3].count == 4, let year = Int(parts[3]), day <= daysIn(month: month + 1, year: year)
        else { return nil }
        let clock = parts[4].split(separator: ":", omittingEmptySubsequences: false)
        guard clock.count == 3, clock.allSatisfy({ $0.count == 2 }),
              let hour = Int(clock[0]), let minute = Int(clock[1]), let second = Int(clock[2]),
              (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second)
        else { return nil }
        let days = daysSinceEpoch(year: year, month: month + 1, day: day)
        return Date(timeIntervalSince1970: TimeInterval(days * 86_400 + hour * 3600 + minute * 60 + second))
    }

    /// `31 Nov` or `29 Feb 2023` would otherwise roll over into the next month (found by the
    /// `http-date` fuzz target's calendar oracle).
    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
