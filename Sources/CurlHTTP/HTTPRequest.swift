public import Foundation

/// One header line. Kept as an ordered list (not a dictionary) because order and repeats matter on the wire.
public struct HTTPHeader: Sendable, Hashable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    /// Whether this header is `name`, ignoring ASCII case (header names are ASCII tokens; this runs
    /// on every response, where Foundation's locale-aware compare was a measurable share of a poll).
    public func isNamed(_ name: String) -> Bool {
        let mine = self.name.utf8, theirs = name.utf8
        guard mine.count == theirs.count else { return false }
        return zip(mine, theirs).allSatisfy { a, b in
            a == b || (a ^ b == 0x20 && (a | 0x20) >= UInt8(ascii: "a") && (a | 0x20) <= UInt8(ascii: "z"))
        }
    }
}

/// An outbound HTTP request as jobhook builds it: for CCE polls and webhook deliveries alike.
public struct HTTPRequest: Sendable, Hashable {
    public var method: String
    /// Absolute `http` or `https` URL; other schemes are refused before any I/O.
    public var url: String
    public var headers: [HTTPHeader]
    public var body: Data?
    /// Time allowed to establish the TCP (and TLS) connection.
    public var connectTimeout: Duration
    /// Time allowed for the whole transfer, including time queued in the multi handle.
    public var timeout: Duration
    /// A response body larger than this fails with `HTTPError.Kind.bodyTooLarge` instead of growing memory.
    public var maxResponseBytes: Int

    public init(
        method: String = "GET",
        url: String,
        headers: [HTTPHeader] = [],
        body: Data? = nil,
        connectTimeout: Duration = .seconds(5),
        timeout: Duration = .seconds(30),
        maxResponseBytes: Int = 1 << 20
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
    }

    /// The first value of a header, compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.isNamed(name) }?.value
    }
}

/// A complete response: status, headers (as received, in order) and the body.
public struct HTTPResponse: Sendable, Hashable {
    public var status: Int
    public var headers: [HTTPHeader]
    public var body: Data

    public init(status: Int, headers: [HTTPHeader] = [], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of a header, compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.isNamed(name) }?.value
    }
}

/// Anything that can send an `HTTPRequest`: `CurlClient` in production; tests use the same real client.
public protocol HTTPClient: Sendable {
    func send(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse
}
