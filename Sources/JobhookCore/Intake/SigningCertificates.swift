public import CurlHTTP
public import Foundation

/// `cert_hosts`: the signing certificate fetched from the message's `signing_cert_url` — only over
/// https, only from a configured host, never through a redirect — and kept a day. The URL is taken
/// from an unverified message, so everything about it is checked before a byte is sent.
public actor SigningCertificates {
    let http: any HTTPClient
    let timeout: Duration
    private var cache: [String: (key: SMNSigningKey, fetched: Date)] = [:]

    /// How long a fetched certificate is used before it is fetched again.
    static let lifetime: TimeInterval = 24 * 3600
    /// A certificate is a few KiB; more is not one.
    static let maxBytes = 64 * 1024
    /// Distinct URLs kept at most: a flood of signed-looking messages naming new URLs cannot grow memory.
    static let maxEntries = 16

    public init(http: any HTTPClient, timeout: Duration) {
        self.http = http
        self.timeout = timeout
    }

    public enum Failure: Error, Sendable, Hashable {
        /// The URL is not one we may fetch (the message is refused: 403).
        case refused(String)
        /// We may fetch it but could not (our side or the host's: 503, SMN sends it again).
        case unavailable(String)
    }

    public func key(for urlText: String?, hosts: Set<String>, now: Date) async -> Result<SMNSigningKey, Failure> {
        guard let urlText, !urlText.isEmpty else { return .failure(.refused("the message has no signing_cert_url")) }
        if let problem = Self.problem(urlText, hosts: hosts) { return .failure(.refused(problem)) }
        if let cached = cache[urlText], now.timeIntervalSince(cached.fetched) < Self.lifetime, cached.key.notValidAfter > now {
            return .success(cached.key)
        }
        let request = HTTPRequest(url: urlText, timeout: timeout, maxResponseBytes: Self.maxBytes)
        let response: HTTPResponse
        do {
            response = try await http.send(request)
        } catch {
            return .failure(.unavailable("fetching signing_cert_url failed: \(error.kind)"))
        }
        guard response.status == 200 else { return .failure(.unavailable("signing_cert_url answered HTTP \(response.status)")) }
        let key: SMNSigningKey
        do {
            key = try SMNSigningKey(certificate: response.body)
        } catch {
            return .failure(.refused("signing_cert_url \(error.description)"))
        }
        guard key.notValidBefore <= now, now <= key.notValidAfter else {
            return .failure(.refused("the certificate at signing_cert_url is not valid now"))
        }
        if cache.count >= Self.maxEntries { cache.removeAll() }
        cache[urlText] = (key, now)
        return .success(key)
    }

    /// nil when the URL is https, on the default port, without credentials, on a listed host.
    static func problem(_ text: String, hosts: Set<String>) -> String? {
        guard let url = URLComponents(string: text), url.scheme?.lowercased() == "https" else {
            return "signing_cert_url is not an https URL"
        }
        guard url.user == nil, url.password == nil, url.port == nil || url.port == 443 else {
            return "signing_cert_url has credentials or a port"
        }
        guard let host = url.host?.lowercased(), hosts.contains(host) else { return "signing_cert_url's host is not in intake.smn.cert_hosts" }
        return nil
    }
}
