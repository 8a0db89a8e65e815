internal import CurlHTTP
internal import Foundation

/// One HTTP/1.1 request parsed from the front of a connection's byte buffer.
struct WireRequest {
    var method: String
    var target: String
    var headers: [HTTPHeader]
    var body: Data
    /// Bytes of the buffer this request used (head plus body framing).
    var consumed: Int

    struct Malformed: Error {}

    var wantsClose: Bool {
        headers.contains { $0.name.lowercased() == "connection" && $0.value.lowercased().contains("close") }
    }

    /// Parses one request, or returns nil when the buffer does not hold a whole one yet.
    static func parse(_ buffer: [UInt8]) throws -> WireRequest? {
        guard let headEnd = find([13, 10, 13, 10], in: buffer, from: 0) else {
            if buffer.count > 1 << 20 { throw Malformed() }
            return nil
        }
        let head = String(decoding: buffer[..<headEnd], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ", omittingEmptySubsequences: true)
        guard requestLine.count == 3 else { throw Malformed() }
        let headers = lines.compactMap { line -> HTTPHeader? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return HTTPHeader(
                String(line[..<colon]).trimmingCharacters(in: .whitespaces),
                String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            )
        }
        var request = WireRequest(method: String(requestLine[0]), target: String(requestLine[1]), headers: headers, body: Data(), consumed: 0)
        let bodyStart = headEnd + 4
        let encoding = headers.first { $0.name.lowercased() == "transfer-encoding" }?.value.lowercased()
        if encoding?.contains("chunked") == true {
            guard let (body, end) = try dechunk(buffer, from: bodyStart) else { return nil }
            request.body = body
            request.consumed = end
        } else {
            let lengthText = headers.first { $0.name.lowercased() == "content-length" }?.value ?? "0"
            guard let length = Int(lengthText), length >= 0 else { throw Malformed() }
            guard buffer.count >= bodyStart + length else { return nil }
            request.body = Data(buffer[bodyStart..<(bodyStart + length)])
            request.consumed = bodyStart + length
        }
        return request
    }

    /// Decodes a chunked body starting at `start`; nil if incomplete. Trailers are skipped.
    private static func dechunk(_ buffer: [UInt8], from start: Int) throws -> (Data, Int)? {
        var body = Data()
        var position = start
        while true {
            guard let lineEnd = find([13, 10], in: buffer, from: position) else { return nil }
            let sizeText = String(decoding: buffer[position..<lineEnd], as: UTF8.self)
                .split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            guard let size = Int(sizeText, radix: 16), size >= 0 else { throw Malformed() }
            position = lineEnd + 2
            if size == 0 {
                // Trailers end with an empty line.
                while true {
                    guard let end = find([13, 10], in: buffer, from: position) else { return nil }
                    let isEmpty = end == position
                    position = end + 2
                    if isEmpty { return (body, position) }
                }
            }
            guard buffer.count >= position + size + 2 else { return nil }
            body.append(contentsOf: buffer[position..<(position + size)])
            position += size + 2
        }
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        var index = start
        while index <= haystack.count - needle.count {
            if haystack[index] == needle[0] && Array(haystack[index..<(index + needle.count)]) == needle {
                return index
            }
            index += 1
        }
        return nil
    }
}
