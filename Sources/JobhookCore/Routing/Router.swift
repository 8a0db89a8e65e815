/// Pure routing: which rules a change matches and who hears about it.
public enum Router {
    /// Every matching rule, in file order.
    public static func route(_ change: PhaseChange, rules: [Rule]) -> [Rule] {
        rules.filter { $0.matches(change) }
    }

    /// One `Match` per (matching rule, receiver in its `notify`), in file then `notify` order.
    public static func matches(_ change: PhaseChange, config: Config) -> [Match] {
        route(change, rules: config.rules).flatMap { rule in
            rule.notify.map { Match(change: change, rule: rule, receiverName: $0) }
        }
    }
}
