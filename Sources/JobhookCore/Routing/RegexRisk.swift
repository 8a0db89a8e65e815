/// Spots patterns that can backtrack badly, so `check` warns before a reason CCE writes some day
/// hits the match limit. The limit (`BoundedRegex`) bounds the cost either way; this is about the
/// rule silently not matching. The classic shape is a repeated group that repeats inside:
/// `(a+)+`, `(\w*)*`, `(x+y?)+$`. A possessive (`(a+)++`) or atomic (`(?>a+)+`) outer part is fine.
enum RegexRisk {
    /// What is risky about `pattern`, or nil.
    static func warning(for pattern: String) -> String? {
        let chars = Array(pattern)
        /// Per open group: whether something inside repeats without bound; whether it is atomic.
        var stack: [(repeats: Bool, atomic: Bool, start: Int)] = [(false, false, 0)]
        var i = 0
        while i < chars.count {
            switch chars[i] {
            case "\\":
                i += 2
                i = quantifier(chars, at: i, into: &stack)
                continue
            case "[":
                i = classEnd(chars, from: i)
                i = quantifier(chars, at: i, into: &stack)
                continue
            case "(":
                let atomic = i + 2 < chars.count && chars[i + 1] == "?" && chars[i + 2] == ">"
                stack.append((false, atomic, i))
                i += 1
                continue
            case ")" where stack.count > 1:
                let group = stack.removeLast()
                let after = i + 1
                let (unbounded, possessive, end) = readQuantifier(chars, at: after)
                if unbounded, !possessive, group.repeats, !group.atomic {
                    let text = String(chars[group.start..<min(end, chars.count)])
                    return "'\(text)' repeats a group that itself repeats: it can backtrack badly"
                }
                if group.repeats && !group.atomic || unbounded { stack[stack.count - 1].repeats = true }
                i = end
                continue
            default:
                i += 1
                i = quantifier(chars, at: i, into: &stack)
                continue
            }
        }
        return nil
    }

    /// After an atom ending before `index`: marks the enclosing group when a quantifier repeats it.
    private static func quantifier(_ chars: [Character], at index: Int, into stack: inout [(repeats: Bool, atomic: Bool, start: Int)]) -> Int {
        let (unbounded, _, end) = readQuantifier(chars, at: index)
        if unbounded { stack[stack.count - 1].repeats = true }
        return end
    }

    /// A quantifier at `index` (`*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`, with a lazy `?` or possessive
    /// `+` after it): whether it is unbounded, whether possessive, and the index after it.
    private static func readQuantifier(_ chars: [Character], at index: Int) -> (unbounded: Bool, possessive: Bool, end: Int) {
        guard index < chars.count else { return (false, false, index) }
        var end = index
        var unbounded = false
        switch chars[index] {
        case "*", "+": unbounded = true; end += 1
        case "?": end += 1
        case "{":
            guard let close = chars[index...].firstIndex(of: "}") else { return (false, false, index) }
            let body = String(chars[(index + 1)..<close])
            let parts = body.split(separator: ",", omittingEmptySubsequences: false)
            guard parts.count <= 2, parts.allSatisfy({ $0.allSatisfy(\.isNumber) }), !(parts.first?.isEmpty ?? true) else {
                return (false, false, index)  // a literal brace
            }
            unbounded = parts.count == 2 && parts[1].isEmpty
            end = close + 1
        default: return (false, false, index)
        }
        var possessive = false
        if end < chars.count, chars[end] == "?" { end += 1 } else if end < chars.count, chars[end] == "+" { possessive = true; end += 1 }
        return (unbounded, possessive, end)
    }

    /// The index after the character class starting at `start` (`[`), `]` first counting as literal.
    private static func classEnd(_ chars: [Character], from start: Int) -> Int {
        var i = start + 1
        if i < chars.count, chars[i] == "^" { i += 1 }
        if i < chars.count, chars[i] == "]" { i += 1 }
        while i < chars.count, chars[i] != "]" { i += chars[i] == "\\" ? 2 : 1 }
        return min(i + 1, chars.count)
    }
}
