public import CurlHTTP
public import Foundation

/// A request as the loopback server read it off the wire.
public struct RecordedRequest: Sendable, Hashable {
    /// Arrival order across the whole server, from 0: lets a handler script "fail twice, then succeed".
    public var index: Int
    /// Which accepted TCP connection carried it, from 0: equal values mean a reused connection.
    public var connection: Int
    public var method: String
    /// The path without the query, as sent (still percent-encoded).
    public var path: String
    /// The raw query string without `?`, or nil when the target had none.
    public var query: String?
    public var headers: [HTTPHeader]
    public var body: Data

    public init(index: Int, connection: Int, method: String, path: String, query: String?, headers: [HTTPHeader], body: Data) {
        self.index = index
        self.connection = connection
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The first value of a header, compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// Every value of a header, in order (repeated headers matter for signatures).
    public func headerValues(_ name: String) -> [String] {
        headers.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
    }

    /// The body decoded as UTF-8 (invalid bytes replaced).
    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as JSON, or nil if it is not JSON.
    public var bodyJSON: Any? { try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) }

    /// One query parameter's value (percent-decoded), e.g. DingTalk's `access_token`.
    public func queryItem(_ name: String) -> String? {
        guard let query else { return nil }
        var parts = URLComponents()
        parts.percentEncodedQuery = query
        return parts.queryItems?.first { $0.name == name }?.value
    }
}
