/// One notification to send: a change, the rule it matched, one of the rule's receivers.
public struct Match: Sendable {
    public var change: PhaseChange
    public var rule: Rule
    public var receiverName: String

    public init(change: PhaseChange, rule: Rule, receiverName: String) {
        self.change = change
        self.rule = rule
        self.receiverName = receiverName
    }

    /// Stable across retries and restarts: receivers dedup on it (`webhook-id`).
    public var eventID: String {
        EventID.make(change: change, rule: rule.name, receiver: receiverName)
    }
}
