public import Foundation

/// CCE prints times with Go's `time.Time.String()`: `2018-08-02 08:12:40.672772389 +0000 UTC`
/// (0-9 fraction digits, numeric offset, zone abbreviation). IAM uses RFC 3339. This hand parser reads
/// both without allocating, because it runs for every job and sub-job on every poll.
public enum GoTimestamp {
    /// Seconds from 1970 to 2001 (Foundation's reference date); dates are built from the reference
    /// date directly so that `format` then `parse` gives back the identical `Date`.
    private static let referenceOffset: Int64 = 978_307_200

    /// The instant, or nil when the text is not a timestamp (never an error: a bad timestamp must not
    /// lose the job it belongs to).
    public static func parse(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { parse(bytes: $0) }
    }

    /// Go's format in UTC, fraction trimmed of trailing zeros as Go does: `2018-08-02 08:12:40.6727 +0000 UTC`.
    public static func format(_ date: Date) -> String {
        guard let t = utc(date) else { return "" }
        var out = pad(t.year, 4) + "-" + pad(t.month, 2) + "-" + pad(t.day, 2) + " "
        out += pad(t.hour, 2) + ":" + pad(t.minute, 2) + ":" + pad(t.second, 2)
        if t.nanos > 0 {
            var fraction = pad(t.nanos, 9)
            while fraction.hasSuffix("0") { fraction.removeLast() }
            out += "." + fraction
        }
        return out + " +0000 UTC"
    }

    /// `YYYYMMDDTHHMMSSZ`, the `X-Sdk-Date` form (whole seconds, truncated).
    static func compactUTC(_ date: Date) -> String {
        guard let t = utc(date) else { return "" }
        return pad(t.year, 4) + pad(t.month, 2) + pad(t.day, 2) + "T" + pad(t.hour, 2) + pad(t.minute, 2) + pad(t.second, 2) + "Z"
    }

    /// Reads `YYYYMMDDTHHMMSSZ`.
    static func parseCompactUTC(_ text: String) -> Date? {
        let u = Array(text.utf8)
        guard u.count == 16, u[8] == UInt8(ascii: "T"), u[15] == UInt8(ascii: "Z") else { return nil }
        let s = String(decoding: u[0..<4], as: UTF8.self) + "-" + String(decoding: u[4..<6], as: UTF8.self) + "-"
            + String(decoding: u[6..<8], as: UTF8.self) + "T" + String(decoding: u[9..<11], as: UTF8.self) + ":"
            + String(decoding: u[11..<13], as: UTF8.self) + ":" + String(decoding: u[13..<15], as: UTF8.self) + "Z"
        return parse(s)
    }

    private struct UTCFields {
        var year, month, day, hour, minute, second, nanos: Int64
    }

    private static func utc(_ date: Date) -> UTCFields? {
        let sinceReference = date.timeIntervalSinceReferenceDate
        guard sinceReference.isFinite, abs(sinceReference) < 1e15 else { return nil }
        var whole = sinceReference.rounded(.down)
        var nanos = Int64(((sinceReference - whole) * 1e9).rounded())
        if nanos >= 1_000_000_000 {
            nanos -= 1_000_000_000
            whole += 1
        }
        // A Date holds about 0.1 µs near today: keep the fewest fraction digits that still read back
        // as this very Date, so `.6` stays `.6` rather than `.600000024`.
        var scale: Int64 = 1_000_000_000
        while scale > 1 {
            let candidate = (nanos + scale / 2) / scale * scale
            if candidate < 1_000_000_000, whole + Double(candidate) / 1e9 == sinceReference {
                nanos = candidate
                break
            }
            scale /= 10
        }
        let seconds = Int64(whole) + referenceOffset
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let (year, month, day) = civil(fromDays: days)
        return UTCFields(year: year, month: month, day: day, hour: secondOfDay / 3600,
                         minute: secondOfDay / 60 % 60, second: secondOfDay % 60, nanos: nanos)
    }

    /// RFC 3339 in UTC for people and webhooks: `2018-08-02T08:12:40Z`, or `2018-08-02T08:12:40.672Z`
    /// when there is a fraction (milliseconds, truncated).
    public static func formatRFC3339(_ date: Date) -> String {
        let millis = (date.timeIntervalSinceReferenceDate * 1000).rounded(.down) / 1000
        guard let t = utc(Date(timeIntervalSinceReferenceDate: millis)) else { return "" }
        var out = pad(t.year, 4) + "-" + pad(t.month, 2) + "-" + pad(t.day, 2) + "T"
        out += pad(t.hour, 2) + ":" + pad(t.minute, 2) + ":" + pad(t.second, 2)
        let ms = (t.nanos + 500_000) / 1_000_000
        if ms > 0 { out += "." + pad(min(ms, 999), 3) }
        return out + "Z"
    }

    static func parse(bytes b: UnsafeBufferPointer<UInt8>) -> Date? {
        var i = 0
        let n = b.count

        func digits(_ count: Int) -> Int64? {
            guard i + count <= n else { return nil }
            var value: Int64 = 0
            for k in i..<(i + count) {
                let c = b[k]
                guard c >= 0x30, c <= 0x39 else { return nil }
                value = value * 10 + Int64(c - 0x30)
            }
            i += count
            return value
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < n, b[i] == c else { return false }
            i += 1
            return true
        }

        guard let year = digits(4), expect(UInt8(ascii: "-")),
              let month = digits(2), expect(UInt8(ascii: "-")),
              let day = digits(2)
        else { return nil }
        guard i < n else { return nil }
        let separator = b[i]
        let rfc3339 = separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t")
        guard rfc3339 || separator == UInt8(ascii: " ") else { return nil }
        i += 1
        guard let hour = digits(2), expect(UInt8(ascii: ":")),
              let minute = digits(2), expect(UInt8(ascii: ":")),
              let second = digits(2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              hour <= 23, minute <= 59, second <= 59
        else { return nil }

        var nanos: Int64 = 0
        if i < n, b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",") {
            i += 1
            var count = 0
            while i < n, b[i] >= 0x30, b[i] <= 0x39 {
                if count < 9 { nanos = nanos * 10 + Int64(b[i] - 0x30) }
                count += 1
                i += 1
            }
            guard count > 0 else { return nil }
            for _ in min(count, 9)..<9 { nanos *= 10 }
        }

        func parseOffset(colon: Bool) -> Int64? {
            guard i < n else { return nil }
            let sign: Int64
            switch b[i] {
            case UInt8(ascii: "+"): sign = 1
            case UInt8(ascii: "-"): sign = -1
            default: return nil
            }
            i += 1
            guard let h = digits(2) else { return nil }
            if colon || (i < n && b[i] == UInt8(ascii: ":")) {
                guard expect(UInt8(ascii: ":")) else { return nil }
            }
            guard let m = digits(2), h <= 23, m <= 59 else { return nil }
            return sign * (h * 3600 + m * 60)
        }

        var offsetSeconds: Int64 = 0
        if rfc3339 {
            guard i < n else { return nil }
            if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
                i += 1
            } else {
                guard let offset = parseOffset(colon: true) else { return nil }
                offsetSeconds = offset
            }
            guard i == n else { return nil }
        } else {
            guard expect(UInt8(ascii: " ")), let offset = parseOffset(colon: false) else { return nil }
            offsetSeconds = offset
            // The zone abbreviation (`UTC`, `CST`, `+08`) and any Go monotonic suffix (`m=+0.1`) add
            // nothing the numeric offset does not already say.
            if i < n, b[i] != UInt8(ascii: " ") { return nil }
        }

        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return Date(timeIntervalSinceReferenceDate: Double(seconds - referenceOffset) + Double(nanos) / 1e9)
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    private static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static func civil(fromDays z: Int64) -> (Int64, Int64, Int64) {
        let z = z + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
