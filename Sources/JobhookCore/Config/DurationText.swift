/// The config's duration strings (`250ms`, `15s`, `5m`, `2h`, `1h30m`): one grammar for every
/// duration so users learn it once.
public enum DurationText {
    /// What an error message shows as the expected form.
    public static let expectation = "expected a duration like 250ms, 15s, 5m, 2h"

    /// The duration, or nil when the text is not a positive duration in this grammar.
    public static func parse(_ text: String) -> Duration? {
        var rest = Substring(text.trimmingSpaces)
        guard !rest.isEmpty else { return nil }
        var total = Duration.zero
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, digits.count <= 12, let amount = Int64(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            let unit = rest.prefix { $0.isASCII && $0.isLetter }
            rest = rest.dropFirst(unit.count)
            switch unit {
            case "ms": total += .milliseconds(amount)
            case "s": total += .seconds(amount)
            case "m": total += .seconds(amount * 60)
            case "h": total += .seconds(amount * 3600)
            default: return nil
            }
        }
        return total > .zero ? total : nil
    }

    /// The shortest text in the same grammar: `7m12s`, `250ms`, `2h`; sub-millisecond parts are dropped.
    public static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return "0s" }
        let millis = attoseconds / 1_000_000_000_000_000
        if seconds == 0 { return "\(millis)ms" }
        var out = ""
        let hours = seconds / 3600
        let minutes = seconds / 60 % 60
        let secs = seconds % 60
        if hours > 0 { out += "\(hours)h" }
        if minutes > 0 { out += "\(minutes)m" }
        if secs > 0 || out.isEmpty { out += "\(secs)s" }
        return out
    }
}

extension String {
    var trimmingSpaces: Substring {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s.removeFirst() }
        while s.last == " " || s.last == "\t" { s.removeLast() }
        return s
    }
}
