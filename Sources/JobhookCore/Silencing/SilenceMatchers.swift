/// Turns a silence's matchers into a rule `Matcher`, validated as a rule's `match` is: the same keys,
/// `level` one of job/subjob/any, regexes compiled with the same bounds. An invalid silence is refused
/// with the reason (CLI exit 1, API 400), never stored.
public enum SilenceMatchers {
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    public static func matcher(_ matchers: [SilenceMatcher]) throws(Problem) -> Matcher {
        guard !matchers.isEmpty else {
            throw Problem(description: "a silence needs at least one matcher (KEY=VALUE, e.g. cluster_id=c-1): one with none would mute everything")
        }
        var matcher = Matcher()
        var seen: Set<String> = []
        for item in matchers {
            guard Matcher.keys.contains(item.key) else {
                throw Problem(description: "unknown matcher key '\(PrintableText.escape(item.key).clipped)' (expected: \(Matcher.keys.joined(separator: ", ")))")
            }
            guard seen.insert(item.key).inserted else {
                throw Problem(description: "matcher key '\(item.key)' is given twice")
            }
            if item.key == "level" {
                guard !item.isRegex, let level = Matcher.Level(rawValue: item.value) else {
                    throw Problem(description: "level: expected job, subjob or any (got '\(PrintableText.escape(item.value).clipped)')")
                }
                matcher.level = level
                continue
            }
            let pattern: MatchPattern
            if item.isRegex || item.key == "reason" {
                do {
                    pattern = .regex([try BoundedRegex(item.value, origin: .init(path: "silence.\(item.key)"))])
                } catch {
                    throw Problem(description: "\(item.key): invalid regular expression '\(PrintableText.escape(item.value).clipped)': \(error)")
                }
            } else {
                pattern = .exact([item.value])
            }
            switch item.key {
            case "type": matcher.type = pattern
            case "phase": matcher.phase = pattern
            case "from": matcher.from = pattern
            case "reason": matcher.reason = pattern
            case "cluster_id": matcher.clusterID = pattern
            case "resource_name": matcher.resourceName = pattern
            default: matcher.account = pattern
            }
        }
        return matcher
    }
}
