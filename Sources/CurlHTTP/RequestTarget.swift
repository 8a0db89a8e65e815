internal import Foundation

/// What an error message may say about a request's URL: the host and port only.
/// Webhook URLs carry tokens in the query (DingTalk, WeCom, Jenkins), the path (Slack, Discord,
/// Feishu) and the user info, so none of those ever reach a message.
///
/// Built on every request, so `init` only checks the scheme and that a host is present, by byte
/// offsets; the host, port and secrets are cut out only when a message needs them.
struct RequestTarget: Sendable, CustomStringConvertible {
    private let url: String
    /// Byte offsets into `url.utf8`: the authority (`userinfo@host:port`) and the host inside it.
    private let authority: Range<Int>
    private let hostBytes: Range<Int>
    private let portBytes: Range<Int>?

    /// Checks the URL before any I/O: only absolute http/https URLs with a host pass.
    init(url: String) throws(HTTPError) {
        let parsed = url.utf8.withContiguousStorageIfAvailable { Self.parse($0) } ?? Self.parse(Array(url.utf8))
        switch parsed {
        case .failure(let error): throw error
        case .success(let parts):
            self.url = url
            (authority, hostBytes, portBytes) = parts
        }
    }

    var host: String {
        var host = slice(hostBytes)
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.removingPercentEncoding ?? host
    }

    var port: Int? { portBytes.flatMap { Int(slice($0)) } }

    var description: String {
        let host = self.host
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return port.map { "\(shownHost):\($0)" } ?? shownHost
    }

    /// Parts of the URL that must not appear in any message, used to vet libcurl's own wording.
    var secrets: [String] {
        let bytes = Array(url.utf8)
        var rest = bytes[authority.upperBound...]
        if let hash = rest.firstIndex(of: UInt8(ascii: "#")) { rest = rest[..<hash] }
        var query: String?
        if let mark = rest.firstIndex(of: UInt8(ascii: "?")) {
            query = String(decoding: rest[(mark + 1)...], as: UTF8.self)
            rest = rest[..<mark]
        }
        let path = String(decoding: rest, as: UTF8.self)
        var secrets = [query]
        if hostBytes.lowerBound > authority.lowerBound {
            let userinfo = bytes[authority.lowerBound..<(hostBytes.lowerBound - 1)]
            let colon = userinfo.firstIndex(of: UInt8(ascii: ":")) ?? userinfo.endIndex
            let user = String(decoding: userinfo[..<colon], as: UTF8.self)
            secrets += [user, user.removingPercentEncoding]
            if colon < userinfo.endIndex {
                let password = String(decoding: userinfo[(colon + 1)...], as: UTF8.self)
                secrets += [password, password.removingPercentEncoding]
            }
        }
        if path.utf8.count > 1 { secrets.append(path) }
        // Path segments alone may be tokens too (Discord `/<id>/<token>`).
        secrets += path.split(separator: "/").map(String.init).filter { $0.count >= 8 }
        return secrets.compactMap { $0 }.filter { !$0.isEmpty }
    }

    /// libcurl's detail text if it reveals nothing secret; otherwise nil.
    func vetted(_ detail: String) -> String? {
        let line = detail.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        let secrets = self.secrets
        for secret in secrets where trimmed.contains(secret) { return nil }
        if let decoded = secrets.compactMap({ $0.removingPercentEncoding }).first(where: { trimmed.contains($0) }),
           !decoded.isEmpty {
            return nil
        }
        return trimmed
    }

    private func slice(_ range: Range<Int>) -> String {
        let utf8 = url.utf8
        let start = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
        let end = utf8.index(start, offsetBy: range.count)
        return String(decoding: utf8[start..<end], as: UTF8.self)
    }

    private typealias Parts = (authority: Range<Int>, host: Range<Int>, port: Range<Int>?)

    /// RFC 3986 scheme and authority, by offset. Like `URLComponents`, lenient about characters
    /// (libcurl escapes them) but strict about the scheme's syntax and a numeric port.
    private static func parse<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes) -> Result<Parts, HTTPError> where Bytes.Index == Int {
        let unparsable = HTTPError(.invalidURL, "invalid URL: it does not parse as an absolute URL")
        let start = bytes.startIndex, end = bytes.endIndex
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), colon > start, isAlpha(bytes[start]),
              bytes[start..<colon].allSatisfy({ isAlpha($0) || isDigit($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") })
        else { return .failure(unparsable) }
        let scheme = bytes[start..<colon]
        guard equalsLowercased(scheme, "http") || equalsLowercased(scheme, "https") else {
            let shown = String(decoding: scheme.prefix(16), as: UTF8.self).lowercased()
            return .failure(HTTPError(.invalidURL, "invalid URL: scheme \"\(shown)\" is not http or https"))
        }
        let noHost = HTTPError(.invalidURL, "invalid URL: no host")
        let slashes = colon + 1
        guard end - slashes >= 2, bytes[slashes] == UInt8(ascii: "/"), bytes[slashes + 1] == UInt8(ascii: "/") else {
            return .failure(noHost)
        }
        let authorityStart = slashes + 2
        let authorityEnd = bytes[authorityStart...].firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") } ?? end
        let authority = bytes[authorityStart..<authorityEnd]
        let hostStart = authority.lastIndex(of: UInt8(ascii: "@")).map { $0 + 1 } ?? authorityStart
        var hostEnd = authorityEnd
        var port: Range<Int>?
        if hostStart < authorityEnd, bytes[hostStart] == UInt8(ascii: "[") {
            guard let close = bytes[hostStart..<authorityEnd].firstIndex(of: UInt8(ascii: "]")) else { return .failure(unparsable) }
            hostEnd = close + 1
            if hostEnd < authorityEnd {
                guard bytes[hostEnd] == UInt8(ascii: ":") else { return .failure(unparsable) }
                port = (hostEnd + 1)..<authorityEnd
            }
        } else if let portColon = bytes[hostStart..<authorityEnd].firstIndex(of: UInt8(ascii: ":")) {
            hostEnd = portColon
            port = (portColon + 1)..<authorityEnd
        }
        if let digits = port {
            guard bytes[digits].allSatisfy(isDigit) else { return .failure(unparsable) }
            if digits.isEmpty { port = nil }
        }
        guard hostEnd > hostStart, !(hostEnd - hostStart == 2 && bytes[hostStart] == UInt8(ascii: "[")) else {
            return .failure(noHost)
        }
        return .success((authorityStart..<authorityEnd, hostStart..<hostEnd, port))
    }

    private static func isAlpha(_ byte: UInt8) -> Bool { (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") }
    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func equalsLowercased<Bytes: Collection<UInt8>>(_ bytes: Bytes, _ lowercase: StaticString) -> Bool {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        var offset = 0
        for byte in bytes {
            let folded = isAlpha(byte) ? byte | 0x20 : byte
            if folded != lowercase.utf8Start[offset] { return false }
            offset += 1
        }
        return true
    }
}
