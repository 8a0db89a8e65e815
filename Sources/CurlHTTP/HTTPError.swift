/// A transfer that produced no usable response. `kind` lets callers classify (retry or not) without
/// parsing messages; `description` is for people and never contains the URL's query or credentials.
public struct HTTPError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The host name did not resolve.
        case dns
        /// Nothing listens at the address (ECONNREFUSED).
        case connectionRefused
        /// The connection could not be established for another reason (unreachable, connect timeout).
        case connectFailed
        /// The transfer ran past its total timeout.
        case timeout
        /// TLS handshake or I/O failure (may succeed on retry).
        case tls
        /// The peer's certificate did not verify: a configuration problem, never retried.
        case certificate
        /// The response body passed `maxResponseBytes`.
        case bodyTooLarge
        /// The URL did not parse or used a scheme other than http/https.
        case invalidURL
        /// The connection broke mid-transfer (reset, truncated response, send/recv error).
        case connectionLost
        /// The peer answered, but not in HTTP/1.x or HTTP/2 (an HTTP/0.9 reply, another protocol on
        /// that port). Transient: a proxy or load balancer in a bad state can do this for a while.
        case notHTTP
        /// The calling task was cancelled; the transfer was aborted.
        case cancelled
        /// Any other libcurl failure.
        case other
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    /// Failures where the request certainly or possibly did not reach a working receiver and
    /// trying again later can help.
    public var isTransient: Bool {
        switch kind {
        case .dns, .connectionRefused, .connectFailed, .timeout, .tls, .connectionLost, .notHTTP: true
        case .certificate, .bodyTooLarge, .invalidURL, .cancelled, .other: false
        }
    }
}
