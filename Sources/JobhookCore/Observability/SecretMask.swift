import Foundation

/// Hides secrets in what `jobhook test` prints. A config takes its secrets from the environment
/// (`${FEISHU_WEBHOOK}`, `${GITLAB_TRIGGER_TOKEN}`), so every value the file pulls from the
/// environment is masked wherever it shows up — URL, header or body — and URL query values too.
public struct SecretMask: Sendable {
    private let values: [String]

    /// - Parameters:
    ///   - configText: the raw rules.yaml, scanned for `${NAME}` references.
    ///   - extra: other secret values to hide (inline tokens from the config).
    public init(configText: String, environment: [String: String], extra: [String] = []) {
        var names = Set<String>()
        let scalars = Array(configText.unicodeScalars)
        var i = 0
        while i + 1 < scalars.count {
            if scalars[i] == "$", scalars[i + 1] == "{", i == 0 || scalars[i - 1] != "$" {
                var j = i + 2
                var name = ""
                while j < scalars.count, scalars[j] != "}" { name.unicodeScalars.append(scalars[j]); j += 1 }
                if j < scalars.count { names.insert(name) }
                i = j
            }
            i += 1
        }
        let found = names.compactMap { environment[$0] } + extra
        // Longest first, so a value containing another is masked whole; short values would mask noise.
        values = Set(found.filter { $0.count >= 4 }).sorted { $0.count > $1.count }
    }

    public func mask(_ text: String) -> String {
        values.reduce(text) { $0.replacingOccurrences(of: $1, with: "<redacted>") }
    }

    /// A URL for display: masked as a whole when it carries a secret, else with its query values hidden.
    public func maskURL(_ url: String) -> String {
        if values.contains(where: { url.contains($0) }) { return WebhookURL.redact(url) }
        guard var components = URLComponents(string: url), let items = components.queryItems, !items.isEmpty else { return url }
        components.queryItems = items.map { URLQueryItem(name: $0.name, value: $0.value == nil ? nil : "<redacted>") }
        return components.string ?? WebhookURL.redact(url)
    }
}
