@testable import CCE
import Foundation
import FuzzSupport

/// Go timestamps (`2018-08-02 08:12:40.672772389 +0000 UTC`, RFC 3339, `X-Sdk-Date`). Oracles: the
/// byte and String entry points agree; what parses formats back to text that parses to the identical
/// `Date` (Go form), to within a millisecond (RFC 3339) and to the same text (compact form); the
/// civil fields agree with Foundation's Gregorian calendar; a UTC input keeps its fields verbatim.
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

    // An input in UTC keeps its date and clock as written.
    let input = Array(data)
    let utc = input.count >= 20 && (input.last == UInt8(ascii: "Z") || input.last == UInt8(ascii: "z")
        || input.suffix(10).elementsEqual(" +0000 UTC".utf8) || input.suffix(6).elementsEqual("+00:00".utf8))
    if utc {
        var written = Array(input.prefix(19))
        written[10] = UInt8(ascii: " ")
        oracle(written == printed, "UTC input \(String(decoding: input, as: UTF8.self).debugDescription) formats as \(go)")
    }
    return 0
}

/// The program's `main` (SwiftPM links `main=FuzzGoTimestamp_main`): hands over to libFuzzer.
@_cdecl("FuzzGoTimestamp_main")
public func fuzzGoTimestampMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, size in fuzzGoTimestamp(data.map(UnsafeRawPointer.init), size) }
}
