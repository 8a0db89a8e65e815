internal import CCurl
internal import Foundation

/// Header handling on the hot path: every poll builds a request header list and parses every
/// response header line, so both work on UTF-8 bytes by index. Foundation's Unicode trimming runs
/// only when a trimmed edge is non-ASCII, where it may be a Unicode space; results are the same.
extension CurlTransfer {
    static let userAgent = "jobhook/\(JobhookVersion.current)"

    /// One response header line as libcurl delivers it (terminator included).
    enum HeaderLine: Equatable {
        /// `HTTP/…`: a new response starts; earlier headers belonged to a 1xx or a previous one.
        case status
        case header(HTTPHeader)
        /// The blank line ending the headers, or anything without a colon.
        case other
    }

    /// The request's headers as given, CR/LF stripped (a templated value must not inject lines),
    /// plus blanks that stop libcurl adding its own `Expect`, `Accept` and form `Content-Type`.
    static func headerList(for request: HTTPRequest) -> UnsafeMutablePointer<curl_slist>? {
        var list: UnsafeMutablePointer<curl_slist>?
        var hasExpect = false, hasAccept = false, hasContentType = false
        for header in request.headers {
            let name = header.name.utf8
            hasExpect = hasExpect || equalsIgnoringASCIICase(name, "expect")
            hasAccept = hasAccept || equalsIgnoringASCIICase(name, "accept")
            hasContentType = hasContentType || equalsIgnoringASCIICase(name, "content-type")
            appendLine(for: header, to: &list)
        }
        if !hasExpect { append("Expect:", to: &list) }
        if !hasAccept { append("Accept:", to: &list) }
        if !hasContentType { append("Content-Type:", to: &list) }
        return list
    }

    /// "Name: value", or "Name;" (libcurl's spelling for a header sent with an empty value).
    private static func appendLine(for header: HTTPHeader, to list: inout UnsafeMutablePointer<curl_slist>?) {
        var name = header.name
        if name.utf8.contains(where: { $0 == colon || $0 == cr || $0 == lf }) {
            name = String(decoding: name.utf8.filter { $0 != colon && $0 != cr && $0 != lf }, as: UTF8.self)
        }
        guard !name.isEmpty else { return }
        var value = header.value
        if value.utf8.contains(where: { $0 == cr || $0 == lf }) {
            value = String(decoding: value.utf8.map { $0 == cr || $0 == lf ? space : $0 }, as: UTF8.self)
        }
        var utf8 = value.utf8[...]
        while let first = utf8.first, first == space || first == tab { utf8.removeFirst() }
        while let last = utf8.last, last == space || last == tab { utf8.removeLast() }
        if let first = utf8.first, let last = utf8.last, first >= 0x80 || last >= 0x80 {
            value = value.trimmingCharacters(in: .whitespaces)
            utf8 = value.utf8[...]
        }
        let nameCount = name.utf8.count, valueCount = utf8.count
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: nameCount + valueCount + 3) { line in
            var end = line.initialize(fromContentsOf: name.utf8)
            if valueCount == 0 {
                line.initializeElement(at: end, to: semicolon); end += 1
            } else {
                line.initializeElement(at: end, to: colon); end += 1
                line.initializeElement(at: end, to: space); end += 1
                end = line[end...].initialize(fromContentsOf: utf8)
            }
            line.initializeElement(at: end, to: 0)
            line.withMemoryRebound(to: CChar.self) { append($0.baseAddress!, to: &list) }
        }
    }

    /// curl_slist_append copies the string; on allocation failure keep what we have.
    private static func append(_ line: UnsafePointer<CChar>, to list: inout UnsafeMutablePointer<curl_slist>?) {
        if let extended = curl_slist_append(list, line) { list = extended }
    }

    static func parseHeaderLine(_ raw: UnsafeRawBufferPointer) -> HeaderLine {
        var start = 0, end = raw.count
        while start < end, isLineSpace(raw[start]) { start += 1 }
        while end > start, isLineSpace(raw[end - 1]) { end -= 1 }
        guard start < end else { return .other }
        if raw[start] >= 0x80 || raw[end - 1] >= 0x80 { return parseHeaderLineSlowly(raw) }
        if end - start >= 5, raw[start..<(start + 5)].elementsEqual("HTTP/".utf8) {
            // A combining mark after the slash would make the Character-wise check say no.
            return end - start > 5 && raw[start + 5] >= 0x80 ? parseHeaderLineSlowly(raw) : .status
        }
        guard let colonIndex = raw[start..<end].firstIndex(of: colon) else { return .other }
        var nameEnd = colonIndex, valueStart = colonIndex + 1
        while nameEnd > start, raw[nameEnd - 1] == space || raw[nameEnd - 1] == tab { nameEnd -= 1 }
        while valueStart < end, raw[valueStart] == space || raw[valueStart] == tab { valueStart += 1 }
        if (colonIndex > start && raw[colonIndex - 1] >= 0x80) || (colonIndex + 1 < end && raw[colonIndex + 1] >= 0x80)
            || (nameEnd > start && raw[nameEnd - 1] >= 0x80) || (valueStart < end && raw[valueStart] >= 0x80) {
            return parseHeaderLineSlowly(raw)
        }
        return .header(HTTPHeader(
            String(decoding: UnsafeRawBufferPointer(rebasing: raw[start..<nameEnd]), as: UTF8.self),
            String(decoding: UnsafeRawBufferPointer(rebasing: raw[valueStart..<end]), as: UTF8.self)
        ))
    }

    /// Character-wise, with Unicode whitespace: for lines whose edges are not plain ASCII. Internal,
    /// not private: the `response-headers` fuzz target (Fuzz/) checks both paths agree on every line.
    static func parseHeaderLineSlowly(_ raw: UnsafeRawBufferPointer) -> HeaderLine {
        let line = String(decoding: raw, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if line.hasPrefix("HTTP/") { return .status }
        guard let colon = line.firstIndex(of: ":") else { return .other }
        let name = String(line[..<colon]).trimmingCharacters(in: .whitespaces)
        let value = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
        return .header(HTTPHeader(name, value))
    }

    /// `lowercase` must be lowercase ASCII.
    private static func equalsIgnoringASCIICase(_ bytes: String.UTF8View, _ lowercase: StaticString) -> Bool {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        var offset = 0
        for byte in bytes {
            let folded = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
            guard folded == lowercase.utf8Start[offset] else { return false }
            offset += 1
        }
        return true
    }

    /// What `.whitespacesAndNewlines` holds in ASCII: tab, LF, VT, FF, CR, space.
    private static func isLineSpace(_ byte: UInt8) -> Bool { byte == space || (byte >= tab && byte <= cr) }

    private static var colon: UInt8 { UInt8(ascii: ":") }
    private static var semicolon: UInt8 { UInt8(ascii: ";") }
    private static var space: UInt8 { UInt8(ascii: " ") }
    private static var tab: UInt8 { UInt8(ascii: "\t") }
    private static var cr: UInt8 { UInt8(ascii: "\r") }
    private static var lf: UInt8 { UInt8(ascii: "\n") }
}
