public import Foundation

/// Foundation's Gregorian calendar in UTC: the independent reference for the hand-written civil-date
/// arithmetic in `GoTimestamp` and `HTTPDate`.
public enum UTCCalendar {
    public static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// Year, month, day, hour, minute, second of `date` in UTC.
    public static func fields(_ date: Date) -> [Int] {
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return [c.year ?? -1, c.month ?? -1, c.day ?? -1, c.hour ?? -1, c.minute ?? -1, c.second ?? -1]
    }

    /// 1583-01-01 to 9999-12-31: four-digit years where Foundation's calendar is proleptic Gregorian
    /// as ours are (before October 1582 it counts Julian days).
    public static func inGregorianYears(_ date: Date) -> Bool {
        let t = date.timeIntervalSince1970
        return t >= -12_212_553_600 && t < 253_402_300_800
    }
}
