/// jobhook's duration strings (`250ms`, `15s`, `5m`, `2h`, `1h30m`): one grammar for every
/// duration — rules.yaml, command-line flags and simulator scenarios — so users learn it once.
/// Here, below the config and the simulator, because both read it.
public enum DurationText {
    /// What an error message shows as the expected form.
    public static let expectation = "expected a duration like 250ms, 15s, 5m, 2h"

    /// The duration, or nil when the text is not a positive duration in this grammar. Simulator
    /// scenarios also allow zero (a step at `0s`) and decimal parts (`1.5s`); rules.yaml does not.
    public static func parse(_ text: String, allowZero: Bool = false, allowFractions: Bool = false) -> Duration? {
        var rest = Substring(text.trimmingWhitespace())
        guard !rest.isEmpty else { return nil }
        var total = Duration.zero
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !digits.isEmpty, digits.count <= 12, digits.first != ".", digits.last != "." else { return nil }
            rest = rest.dropFirst(digits.count)
            let unit = rest.prefix { $0.isASCII && $0.isLetter }
            rest = rest.dropFirst(unit.count)
            let millis: Double
            switch unit {
            case "ms": millis = 1
            case "s": millis = 1000
            case "m": millis = 60_000
            case "h": millis = 3_600_000
            default: return nil
            }
            if let whole = Int64(digits) {
                total += .milliseconds(whole) * Int64(millis)
            } else if allowFractions, let amount = Double(digits) {
                total += .milliseconds(Int64((amount * millis).rounded()))
            } else {
                return nil
            }
        }
        return total > .zero || (allowZero && total == .zero) ? total : nil
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
