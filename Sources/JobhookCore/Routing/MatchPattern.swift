/// One match key's condition.
public enum MatchPattern: Sendable {
    /// Equal to one of the strings.
    case exact([String])
    /// Any of the expressions found anywhere in the value; each match is bounded (`BoundedRegex`).
    case regex([BoundedRegex])

    public func matches(_ value: String) -> Bool {
        switch self {
        case .exact(let options):
            return options.contains(value)
        case .regex(let expressions):
            return expressions.contains { $0.matches(value) }
        }
    }

    /// The expressions, for reporting their limit hits.
    var expressions: [BoundedRegex] {
        if case .regex(let expressions) = self { return expressions }
        return []
    }
}
