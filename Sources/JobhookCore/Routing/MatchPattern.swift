public import Foundation

/// One match key's condition. Regexes are `NSRegularExpression` (ICU syntax, `(?i)` works): it is
/// Sendable on Linux under Swift 6, where `Regex<AnyRegexOutput>` is not.
public enum MatchPattern: Sendable {
    /// Equal to one of the strings.
    case exact([String])
    /// Any of the expressions found anywhere in the value.
    case regex([NSRegularExpression])

    public func matches(_ value: String) -> Bool {
        switch self {
        case .exact(let options):
            return options.contains(value)
        case .regex(let expressions):
            let range = NSRange(value.startIndex..., in: value)
            return expressions.contains { $0.firstMatch(in: value, range: range) != nil }
        }
    }
}
