import Foundation

/// A receiver's URL. Webhook URLs carry their credential (Feishu hook id, DingTalk `access_token`,
/// Slack path, Discord token, Teams `sig`), so the full text is only handed out through `reveal`;
/// printing shows `scheme://host/…`.
public struct WebhookURL: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public let reveal: String

    /// Nil unless the text is an absolute `http` or `https` URL with a host.
    public init?(_ text: String) {
        guard let components = URLComponents(string: text),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = components.host, !host.isEmpty
        else { return nil }
        reveal = text
    }

    public var description: String { Self.redact(reveal) }
    public var debugDescription: String { description }

    /// `scheme://host[:port]/…` of any URL text, for logs and messages.
    public static func redact(_ text: String) -> String {
        guard let components = URLComponents(string: text), let scheme = components.scheme, let host = components.host
        else { return "<redacted>" }
        let port = components.port.map { ":\($0)" } ?? ""
        return "\(scheme)://\(host)\(port)/…"
    }
}
