@testable import CCE
import Foundation
import FuzzSupport

/// Go timestamps (`2018-08-02 08:12:40.672772389 +0000 UTC`, RFC 3339, `X-Sdk-Date`). Oracles: the
/// byte and String entry points agree; what parses formats back to text that parses to the identical
/// `Date` (Go form), to within a millisecond (RFC 3339) and to the same text (compact form); the
/// civil fields agree with Foundation's Gregorian calendar; a UTC input is the instant its fields and
/// fraction name by that calendar.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGoTimestamp(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let data = fuzzInput(start, count)
    let parsed = data.withUnsafeBytes { GoTimestamp.parse(bytes: $0.bindMemory(to: UInt8.self)) }
    if let text = String(validating: data, as: UTF8.self) {
        oracle(GoTimestamp.parse(text) == parsed, "String and byte parsers disagree on \(text.debugDescription)")
        if let compact = GoTimestamp.parseCompactUTC(text) {
            oracle(GoTimestamp.compactUTC(compact) == text, "compact \(text.debugDescription) formats back as \(GoTimestamp.compactUTC(compact))")
        }
    }
    guard let date = parsed else { return 0 }
    let seconds = date.timeIntervalSinceReferenceDate
    oracle(seconds.isFinite, "non-finite date")
    guard UTCCalendar.inGregorianYears(date) else { return 0 }

    let go = GoTimestamp.format(date)
    oracle(GoTimestamp.parse(go)?.timeIntervalSinceReferenceDate == seconds, "\(go) does not read back as \(seconds)")
    let rfc = GoTimestamp.formatRFC3339(date)
    if let back = GoTimestamp.parse(rfc) {
        oracle(abs(back.timeIntervalSinceReferenceDate - seconds) < 0.0011, "\(rfc) reads back \(back.timeIntervalSinceReferenceDate - seconds) s off")
    } else {
        oracleFailed("RFC 3339 \(rfc) does not parse")
    }

    // `format` prints the civil fields: they must be Foundation's.
    let printed = Array(go.utf8.prefix(19))
    let ours = [0..<4, 5..<7, 8..<10, 11..<13, 14..<16, 17..<19].map { Int(String(decoding: printed[$0], as: UTF8.self)) ?? -1 }
    oracle(ours == UTCCalendar.fields(date), "\(go) but Foundation says \(UTCCalendar.fields(date))")

    // An input in UTC means what it says, by Foundation's calendar: its fields plus its fraction
    // (to a few microseconds: a Double holds about 0.1 µs near today, so `.999999999` may round up).
    let input = Array(data)
    if input.count >= 20, isUTC(input) {
        let number = { (range: Range<Int>) in Int(String(decoding: input[range], as: UTF8.self))! }
        let components = DateComponents(year: number(0..<4), month: number(5..<7), day: number(8..<10),
                                        hour: number(11..<13), minute: number(14..<16), second: number(17..<19))
        let whole = UTCCalendar.calendar.date(from: components)!.timeIntervalSince1970
        let written = whole + fraction(input)
        oracle(abs(date.timeIntervalSince1970 - written) < 1e-5, "UTC input \(String(decoding: input, as: UTF8.self).debugDescription) read as \(go)")
    }
    return 0
}

/// The program's `main` (SwiftPM links `main=FuzzGoTimestamp_main`): hands over to libFuzzer.
@_cdecl("FuzzGoTimestamp_main")
public func fuzzGoTimestampMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, size in fuzzGoTimestamp(data.map(UnsafeRawPointer.init), size) }
}

/// The offset of a timestamp that parsed is zero: `Z` or `±00:00` ending RFC 3339, `±0000` after
/// the clock (and fraction) in Go's form, whatever follows it.
func isUTC(_ input: [UInt8]) -> Bool {
    if input[10] != UInt8(ascii: " ") {
        return input.last == UInt8(ascii: "Z") || input.last == UInt8(ascii: "z") || input.suffix(5).elementsEqual("00:00".utf8)
    }
    var i = 19
    if input[i] == UInt8(ascii: ".") || input[i] == UInt8(ascii: ",") {
        i += 1
        while i < input.count, input[i] >= 0x30, input[i] <= 0x39 { i += 1 }
    }
    return input[(i + 2)...].starts(with: "0000".utf8)
}

/// The seconds' fraction written after the clock (`.5`, `,25`), 0 without one.
func fraction(_ input: [UInt8]) -> Double {
    guard input.count > 20, input[19] == UInt8(ascii: ".") || input[19] == UInt8(ascii: ",") else { return 0 }
    let digits = input[20...].prefix { $0 >= 0x30 && $0 <= 0x39 }
    return Double("0." + String(decoding: digits, as: UTF8.self)) ?? 0
}
