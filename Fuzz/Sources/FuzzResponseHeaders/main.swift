@testable import CurlHTTP
import Foundation
import FuzzSupport

/// Response header lines as libcurl hands them over (one line, terminator included). Oracles: the
/// byte-indexed fast path gives exactly what the Character-wise path gives (its doc comment promises
/// it), names and values come out trimmed, and the header block reads as `CurlTransfer` collects it
/// (a status line starts over) with `Date` and `Retry-After` lookups that do not trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzResponseHeaders(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let data = fuzzInput(start, count)
    var headers: [HTTPHeader] = []
    // Split after each LF, as libcurl calls the header function once per line.
    var lineStart = data.startIndex
    while lineStart < data.endIndex {
        let lineEnd = data[lineStart...].firstIndex(of: 0x0A).map { $0 + 1 } ?? data.endIndex
        let line = data[lineStart..<lineEnd]
        lineStart = lineEnd
        let (fast, slow) = line.withUnsafeBytes { raw in
            (CurlTransfer.parseHeaderLine(raw), CurlTransfer.parseHeaderLineSlowly(raw))
        }
        oracle(same(fast, slow), "fast path \(fast) but Character-wise \(slow) for \(String(decoding: line, as: UTF8.self).debugDescription)")
        switch fast {
        case .status: headers.removeAll()
        case .header(let header):
            oracle(header.name.unicodeScalars.first.map { !$0.properties.isWhitespace } ?? true, "name not trimmed: \(header.name.debugDescription)")
            oracle(header.value.unicodeScalars.last.map { !$0.properties.isWhitespace } ?? true, "value not trimmed: \(header.value.debugDescription)")
            headers.append(header)
        case .other: break
        }
    }
    let response = HTTPResponse(status: 200, headers: headers)
    if let date = response.header("Date") { _ = HTTPDate.parseRepeated(date) }
    _ = response.retryAfter(now: Date(timeIntervalSince1970: 1_700_000_000))
    // Lookup ignores ASCII case only.
    for header in headers where header.name.utf8.allSatisfy({ $0 < 0x80 }) {
        let upper = String(decoding: header.name.utf8.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }, as: UTF8.self)
        oracle(response.header(upper) != nil, "header \(header.name.debugDescription) not found by its upper-case name")
    }
    return 0
}

/// The program's `main` (SwiftPM links `main=FuzzResponseHeaders_main`): hands over to libFuzzer.
@_cdecl("FuzzResponseHeaders_main")
public func fuzzResponseHeadersMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, size in fuzzResponseHeaders(data.map(UnsafeRawPointer.init), size) }
}

/// Equal, with names and values compared by bytes (String `==` is canonical equivalence).
func same(_ a: CurlTransfer.HeaderLine, _ b: CurlTransfer.HeaderLine) -> Bool {
    switch (a, b) {
    case (.status, .status), (.other, .other): true
    case (.header(let x), .header(let y)): Array(x.name.utf8) == Array(y.name.utf8) && Array(x.value.utf8) == Array(y.value.utf8)
    default: false
    }
}
