@testable import CurlHTTP
import Foundation
import FuzzSupport

/// IMF-fixdate and `Retry-After`. Oracles: a parsed date has the day, month, year and clock written
/// (by Foundation's calendar) and reads back from its own IMF-fixdate; the cached parser answers as
/// the plain one; `Retry-After` is nil or a wait in 0…`maxSeconds`, exact for plain delta-seconds and
/// `date - now` (clamped) for dates.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPDate(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let text = String(decoding: fuzzInput(start, count), as: UTF8.self)
    let date = HTTPDate.parse(text)
    oracle(HTTPDate.parseRepeated(text) == date && HTTPDate.parseRepeated(text) == date, "parseRepeated differs from parse")
    if let date, UTCCalendar.inGregorianYears(date) {
        let fields = UTCCalendar.fields(date)
        let parts = text.split(separator: " ")
        let clock = parts[4].split(separator: ":").map { Int($0)! }
        if clock[2] < 60 {
            let written = [Int(parts[3])!, HTTPDate.monthNumber(parts[2]), Int(parts[1])!] + clock
            oracle(written == fields, "\(text.debugDescription) read as \(fields)")
        }
        let again = imfFixdate(date)
        oracle(HTTPDate.parse(again) == date, "\(again) does not read back")
    }

    let now = Date(timeIntervalSince1970: 1_700_000_000)
    let wait = RetryAfter.parse(text, now: now)
    if let wait {
        oracle(wait >= .zero && wait <= .seconds(RetryAfter.maxSeconds), "Retry-After \(text.debugDescription) gives \(wait)")
    }
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    if !trimmed.isEmpty, trimmed.count <= 12, trimmed.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let seconds = Int64(trimmed) {
        oracle(wait == .seconds(min(seconds, Int64(RetryAfter.maxSeconds))), "delta-seconds \(trimmed) gives \(String(describing: wait))")
    }
    // A date: unless it starts the way a number does (then it is read as one, and fails).
    if let date = HTTPDate.parse(trimmed), let first = trimmed.first, !(first.isASCII && (first.isNumber || first == ".")) {
        let expected = Duration.milliseconds(Int64(min(max(0, date.timeIntervalSince(now)), RetryAfter.maxSeconds) * 1000))
        oracle(wait == expected, "Retry-After date \(trimmed.debugDescription) gives \(String(describing: wait)), not \(expected)")
    }
    return 0
}

/// The program's `main` (SwiftPM links `main=FuzzHTTPDate_main`): hands over to libFuzzer.
@_cdecl("FuzzHTTPDate_main")
public func fuzzHTTPDateMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, size in fuzzHTTPDate(data.map(UnsafeRawPointer.init), size) }
}

extension HTTPDate {
    static func monthNumber(_ name: Substring) -> Int {
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"].firstIndex(of: String(name)).map { $0 + 1 } ?? -1
    }
}

/// `Sun, 06 Nov 1994 08:49:37 GMT` from Foundation's calendar, as a server would write it.
func imfFixdate(_ date: Date) -> String {
    let f = UTCCalendar.fields(date)
    let weekday = UTCCalendar.calendar.component(.weekday, from: date)
    let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
    let year = String(repeating: "0", count: max(0, 4 - String(f[0]).count)) + String(f[0])
    return "\(days[weekday - 1]), \(two(f[2])) \(months[f[1] - 1]) \(year) \(two(f[3])):\(two(f[4])):\(two(f[5])) GMT"
}
