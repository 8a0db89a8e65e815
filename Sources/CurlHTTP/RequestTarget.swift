internal import Foundation

/// What an error message may say about a request's URL: the host and port only.
/// Webhook URLs carry tokens in the query (DingTalk, WeCom, Jenkins), the path (Slack, Discord,
/// Feishu) and the user info, so none of those ever reach a message.
struct RequestTarget: Sendable, CustomStringConvertible {
    var host: String
    var port: Int?
    /// Parts of the URL that must not appear in any message, used to vet libcurl's own wording.
    var secrets: [String]

    /// Parses and checks the URL before any I/O: only absolute http/https URLs with a host pass.
    init(url: String) throws(HTTPError) {
        guard let parts = URLComponents(string: url),
              let scheme = parts.scheme?.lowercased()
        else {
            throw HTTPError(.invalidURL, "invalid URL: it does not parse as an absolute URL")
        }
        guard scheme == "http" || scheme == "https" else {
            throw HTTPError(.invalidURL, "invalid URL: scheme \"\(scheme.prefix(16))\" is not http or https")
        }
        guard let host = parts.host, !host.isEmpty else {
            throw HTTPError(.invalidURL, "invalid URL: no host")
        }
        self.host = host
        self.port = parts.port
        var secrets = [parts.percentEncodedQuery, parts.user, parts.password]
        if parts.percentEncodedPath.count > 1 { secrets.append(parts.percentEncodedPath) }
        // Path segments alone may be tokens too (Discord `/<id>/<token>`).
        secrets += parts.percentEncodedPath.split(separator: "/").map(String.init).filter { $0.count >= 8 }
        self.secrets = secrets.compactMap { $0 }.filter { !$0.isEmpty }
    }

    var description: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return port.map { "\(shownHost):\($0)" } ?? shownHost
    }

    /// libcurl's detail text if it reveals nothing secret; otherwise nil.
    func vetted(_ detail: String) -> String? {
        let line = detail.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        for secret in secrets where trimmed.contains(secret) { return nil }
        if let decoded = secrets.compactMap({ $0.removingPercentEncoding }).first(where: { trimmed.contains($0) }),
           !decoded.isEmpty {
            return nil
        }
        return trimmed
    }
}
