import Foundation

/// The one place that decides what of a secret-bearing text a person may see. `jobhook test`,
/// `send-test`, `check`, `run`'s errors, log records, `deliveries list` and the API's delivery
/// answers all show text through it; only the request that goes on the wire is left whole.
///
/// It hides, as `<redacted>`:
/// - the value of every header whose name marks a credential (`Authorization`, `Cookie`, `*-Token`,
///   `*-Key`, `*Secret*`, `*Signature*`…; see `isCredentialHeader`), keeping a scheme word (`Bearer`);
/// - in every URL of a text: userinfo, every query value, the fragment, and the token a chat vendor
///   puts in the path (Feishu/Lark `…/hook/<token>`, Slack `/services/…`, Discord
///   `/api/webhooks/<id>/<token>`, Teams `/webhookb2/…`) — see `Redactor+URL.swift`;
/// - every value it was told is secret (`secrets`): what `${…}` put in a secret position of the
///   config, the config's credentials, and literal credentials such as header values.
///
/// A pure value: build it once from a `Config` (`Redactor(config:)`) and pass it where text is shown.
/// `Secret` (a type whose description is `<redacted>`) and `WebhookURL` (which prints no path at
/// all) stay as they are: they stop a value from being printed by accident, this masks text that is
/// printed on purpose.
public struct Redactor: Sendable, Hashable {
    /// What a hidden value is shown as, literally (never percent-encoded).
    public static let placeholder = "<redacted>"
    /// Shorter values would mask noise (`true`, `v1`) all over the output.
    static let minimumLength = 4

    /// Longest first, so a value containing another is hidden whole.
    public private(set) var secrets: [String]

    public init(secrets: some Sequence<String> = [String]()) {
        self.secrets = Self.normalised(secrets)
    }

    /// This redactor, also hiding `more`.
    public func adding(_ more: some Sequence<String>) -> Redactor {
        var copy = self
        copy.secrets = Self.normalised(secrets + Array(more))
        return copy
    }

    private static func normalised(_ values: some Sequence<String>) -> [String] {
        Set(values.filter { $0.count >= minimumLength }).sorted { ($0.count, $0) > ($1.count, $1) }
    }

    /// Any text for people (an error, a body, a receiver's answer, a log line): URLs in it are
    /// masked, then every known secret value.
    public func text(_ text: String) -> String {
        var out = Self.maskingURLs(in: text)
        for secret in secrets where out.contains(secret) {
            out = secret.count < Self.wordLength
                ? Self.replacingWords(secret, in: out)
                : out.replacingOccurrences(of: secret, with: Self.placeholder)
        }
        return out
    }

    /// Secrets shorter than this are hidden only where they stand alone, so a `${BRANCH}` of
    /// `main` does not turn every "domain" into "do<redacted>".
    static let wordLength = 8

    /// `text` with each occurrence of `word` not inside a longer run of letters and digits hidden.
    static func replacingWords(_ word: String, in text: String) -> String {
        func isWordCharacter(_ c: Character?) -> Bool { c.map { $0.isLetter || $0.isNumber } ?? false }
        var out = ""
        var rest = Substring(text)
        while let range = rest.range(of: word) {
            let before = range.lowerBound > rest.startIndex ? rest[rest.index(before: range.lowerBound)] : out.last
            let after = range.upperBound < rest.endIndex ? rest[range.upperBound] : nil
            let standsAlone = !(isWordCharacter(before) && isWordCharacter(word.first)) && !(isWordCharacter(after) && isWordCharacter(word.last))
            out += rest[..<range.lowerBound]
            out += standsAlone ? placeholder : word
            rest = rest[range.upperBound...]
        }
        return out + rest
    }

    /// One URL for people; the same as `text` on a URL.
    public func url(_ url: String) -> String {
        text(url)
    }

    /// A header value for people: hidden when the name marks a credential (a leading scheme word such
    /// as `Bearer` or `Basic` stays, so the reader still sees which kind), else masked as text.
    public func header(name: String, value: String) -> String {
        guard Self.isCredentialHeader(name) else { return text(value) }
        let words = value.split(separator: " ", maxSplits: 1)
        if words.count == 2, words[0].count <= 16, words[0].allSatisfy({ $0.isASCII && $0.isLetter }) {
            return "\(words[0]) \(Self.placeholder)"
        }
        return value.isEmpty ? value : Self.placeholder
    }

    /// Header names that carry credentials, case-insensitively: `Authorization`, `Proxy-Authorization`,
    /// `Cookie`, `Set-Cookie`, `X-Auth-Token`, any `*-Key`/`*-Token` (`X-Api-Key`, `X-Gitlab-Token`), and
    /// any name containing `secret`, `signature`, `password` or `apikey`.
    public static func isCredentialHeader(_ name: String) -> Bool {
        let lower = name.lowercased()
        if ["authorization", "proxy-authorization", "cookie", "set-cookie", "x-auth-token", "token", "apikey", "api-key"].contains(lower) {
            return true
        }
        if lower.hasSuffix("-key") || lower.hasSuffix("-token") || lower.hasSuffix("_key") || lower.hasSuffix("_token") { return true }
        return ["secret", "signature", "password", "apikey", "api_key", "credential"].contains { lower.contains($0) }
    }
}
