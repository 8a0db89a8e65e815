import Foundation

/// A receiver's URL. Webhook URLs carry their credential (Feishu hook id, DingTalk `access_token`,
/// Slack path, Discord token, Teams `sig`), so the full text is only handed out through `reveal`;
/// printing shows `scheme://host/…`.
public struct WebhookURL: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public let reveal: String

    private init(checked text: String) { reveal = text }

    /// Nil unless `parse` accepts the text.
    public init?(_ text: String) {
        guard case .success(let url) = Self.parse(text) else { return nil }
        self = url
    }

    /// What a person can fix, worded without the value (it is usually a secret).
    public struct Problem: Error, Sendable, Hashable, CustomStringConvertible {
        public let description: String
    }

    /// An absolute `http` or `https` URL that libcurl can send to: no spaces or control characters,
    /// an ASCII host (libcurl's IDN support varies; punycode always works) and a port that exists.
    /// Anything less would pass `check` and be a dead letter on its first attempt.
    public static func parse(_ text: String) -> Result<WebhookURL, Problem> {
        guard let match = text.prefixMatch(of: #/([A-Za-z][A-Za-z0-9+.\-]*):\/\//#) else {
            return .failure(Problem(description: "the value is not an absolute http or https URL"))
        }
        let scheme = match.output.1.lowercased()
        guard scheme == "http" || scheme == "https" else {
            return .failure(Problem(description: "scheme '\(scheme.clipped)' is not http or https"))
        }
        if text.unicodeScalars.contains(where: { $0.properties.isWhitespace || PrintableText.needsEscape($0) }) {
            return .failure(Problem(description: "the URL contains a space or a control character; percent-encode it (a space is %20)"))
        }
        guard let components = URLComponents(string: text) else {
            return .failure(Problem(description: "the value is not a well-formed URL (percent-encode characters outside the URL alphabet)"))
        }
        guard let host = components.host, !host.isEmpty else {
            return .failure(Problem(description: "the URL has no host"))
        }
        guard host.unicodeScalars.allSatisfy(\.isASCII) else {
            return .failure(Problem(description: "the host is not ASCII; write an internationalized name in its punycode form (xn--…)"))
        }
        if let port = components.port, !(1...65535).contains(port) {
            return .failure(Problem(description: "port \(port) does not exist (1 to 65535)"))
        }
        return .success(WebhookURL(checked: text))
    }

    public var description: String { Self.redact(reveal) }
    public var debugDescription: String { description }

    /// `scheme://host[:port]/…` of any URL text, for logs and messages. Stricter than `Redactor.url`
    /// (which keeps the path and query names with the tokens hidden): used where a line only needs to
    /// say which host, so nothing of the path is printed at all.
    public static func redact(_ text: String) -> String {
        guard let components = URLComponents(string: text), let scheme = components.scheme, let host = components.host
        else { return "<redacted>" }
        let port = components.port.map { ":\($0)" } ?? ""
        return "\(scheme)://\(host)\(port)/…"
    }
}
