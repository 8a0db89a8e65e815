public import Foundation

/// Planned work should not page anyone: a silence mutes the deliveries of matching events for a
/// while. A muted delivery is kept as `silenced` — listed, counted and re-drivable — so nothing is
/// lost, only not sent. Phase tracking, `watch` and the other metrics do not change.
public struct Silence: Sendable, Hashable, Identifiable {
    /// `sil_` and 16 hex digits.
    public var id: String
    /// A rule's `match` keys, each an exact value or `{regex}`; all must hold.
    public var matchers: [SilenceMatcher]
    public var startsAt: Date
    public var endsAt: Date
    /// Who added it (`user@host` from the CLI, `api` from the API).
    public var createdBy: String
    public var comment: String

    public init(id: String = Silence.newID(), matchers: [SilenceMatcher], startsAt: Date, endsAt: Date, createdBy: String, comment: String) {
        self.id = id
        self.matchers = matchers
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.createdBy = createdBy
        self.comment = comment
    }

    public func isActive(at date: Date) -> Bool { startsAt <= date && date < endsAt }

    public static func newID() -> String {
        "sil_" + (0..<8).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }
}

/// One key of a silence: `cluster_id=c-1` (exact) or `reason=~quota` (a regular expression searched
/// anywhere, bounded like a rule's).
public struct SilenceMatcher: Sendable, Hashable {
    public var key: String
    public var value: String
    public var isRegex: Bool

    public init(key: String, value: String, isRegex: Bool = false) {
        self.key = key
        self.value = value
        self.isRegex = isRegex
    }

    /// `KEY=VALUE` or `KEY=~REGEX`, as `jobhook silence list` shows it and `--match` takes it.
    public var description: String { "\(key)\(isRegex ? "=~" : "=")\(value)" }

    /// Parses `KEY=VALUE` / `KEY=~REGEX`; the key and value are checked by `SilenceMatchers.matcher`.
    public static func parse(_ text: String) -> SilenceMatcher? {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else { return nil }
        let key = String(text[..<equals]).trimmingCharacters(in: .whitespaces)
        var value = text[text.index(after: equals)...]
        let isRegex = value.hasPrefix("~")
        if isRegex { value = value.dropFirst() }
        return SilenceMatcher(key: key, value: String(value), isRegex: isRegex)
    }
}
