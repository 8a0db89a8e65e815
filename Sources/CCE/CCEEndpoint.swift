import CurlHTTP

/// Where a Huawei Cloud API lives: `scheme://host[:port][/prefix]`, never with a trailing slash, so
/// paths append cleanly. Built from a region (the public cloud's naming) or from an explicit URL
/// (the simulator, a private gateway).
public struct CCEEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// `https://cce.cn-north-4.myhuaweicloud.com`, no trailing slash.
    public let baseURL: String
    /// `host` or `host:port` exactly as written in the URL: the value sent and signed as `Host`.
    public let hostHeader: String

    /// The CCE endpoint of a region. `eu-west-101` (Dublin) lives under `.myhuaweicloud.eu`.
    public init(region: String) throws(CCEError) {
        try self.init(service: "cce", region: region)
    }

    /// The IAM endpoint of a region, or the global `https://iam.myhuaweicloud.com` when region is nil.
    public static func iam(region: String?) throws(CCEError) -> CCEEndpoint {
        guard let region else { return try CCEEndpoint(url: "https://iam.myhuaweicloud.com") }
        return try CCEEndpoint(service: "iam", region: region)
    }

    /// An explicit endpoint: http or https, a host, optionally a port and a path prefix. Trailing slashes
    /// are dropped; user info, query and fragment are refused (a password in a URL would get printed).
    public init(url: String) throws(CCEError) {
        func invalid(_ why: String) -> CCEError {
            CCEError(.transport(.invalidURL), message: "endpoint \(Self.printable(url)) is not usable: \(why)")
        }
        let trimmed = url.trimmingWhitespace()
        let lower = trimmed.lowercased()
        let scheme: String
        if lower.hasPrefix("https://") { scheme = "https" }
        else if lower.hasPrefix("http://") { scheme = "http" }
        else { throw invalid("use an http:// or https:// URL") }
        var rest = Substring(trimmed.dropFirst(scheme.count + 3))
        while rest.hasSuffix("/") { rest.removeLast() }
        guard !rest.contains(where: { $0 == "?" || $0 == "#" }) else { throw invalid("remove the query or fragment") }
        let authority = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(authority.count)
        guard !authority.contains("@") else { throw invalid("credentials do not belong in the URL") }
        guard !authority.isEmpty else { throw invalid("the host is missing") }
        guard !authority.contains(where: { $0 == " " || $0.isNewline || $0 == "\\" || $0 == "%" }),
              !path.contains(where: { $0 == " " || $0.isNewline })
        else { throw invalid("it contains characters a URL cannot have") }
        let host: Substring
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw invalid("unclosed IPv6 address") }
            host = authority[...close]
            let after = authority[authority.index(after: close)...]
            guard after.isEmpty || after.hasPrefix(":") else { throw invalid("bad port") }
            if after.hasPrefix(":") { guard Self.isPort(after.dropFirst()) else { throw invalid("bad port") } }
        } else {
            let parts = authority.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { throw invalid("bad port") }
            host = parts[0]
            if parts.count == 2 { guard Self.isPort(parts[1]) else { throw invalid("bad port") } }
        }
        guard !host.isEmpty else { throw invalid("the host is missing") }
        baseURL = scheme + "://" + authority + path
        hostHeader = String(authority)
    }

    private init(service: String, region: String) throws(CCEError) {
        guard Self.isRegion(region) else {
            throw CCEError(.transport(.invalidURL), message: "region \(Self.printable(region)) is not a Huawei Cloud region name (like cn-north-4)")
        }
        let domain = region == "eu-west-101" ? "myhuaweicloud.eu" : "myhuaweicloud.com"
        try self.init(url: "https://\(service).\(region).\(domain)")
    }

    public var description: String { baseURL }

    /// `baseURL` + `path` (which starts with `/`).
    public func url(_ path: String) -> String {
        baseURL + (path.hasPrefix("/") ? path : "/" + path)
    }

    /// The path prefix of an explicit endpoint (`""` for the public cloud), part of what gets signed.
    public var pathPrefix: String {
        let afterScheme = baseURL.drop { $0 != ":" }.dropFirst(3)
        return String(afterScheme.drop { $0 != "/" })
    }

    static func isRegion(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 64 && text.first != "-" && text.last != "-"
            && text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }

    private static func isPort(_ text: Substring) -> Bool {
        guard !text.isEmpty, text.count <= 5, text.allSatisfy(\.isASCII), let port = Int(text) else { return false }
        return (1...65535).contains(port)
    }

    /// A user-supplied string shown in an error: bounded, on one line, and without what would be a
    /// credential in a URL (userinfo as `<redacted>@`, the query and fragment as `?<redacted>`).
    /// CCE sits below JobhookCore, so it cannot use the `Redactor`; this is the same URL rule in
    /// small, and the commands still pass the whole message through the `Redactor`.
    static func printable(_ text: String) -> String {
        var text = text
        if let separator = text.firstRange(of: "://") {
            let rest = text[separator.upperBound...]
            let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
            if let at = rest[..<authorityEnd].lastIndex(of: "@") {
                text = String(text[..<separator.upperBound]) + "<redacted>" + String(text[at...])
            }
        }
        if let query = text.firstIndex(where: { $0 == "?" || $0 == "#" }) {
            text = String(text[...query]) + "<redacted>"
        }
        let line = String(text.prefix(80).map { $0.isNewline ? " " : $0 })
        return "\"" + line + (text.count > 80 ? "…" : "") + "\""
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var view = Substring(self)
        while let first = view.first, first.isWhitespace { view.removeFirst() }
        while let last = view.last, last.isWhitespace { view.removeLast() }
        return String(view)
    }
}
