public import Foundation

/// From a phase change to the deliveries it owes: every matching rule, every receiver it notifies,
/// rendered now so retries send the same bytes. Pure: the pipeline records the result atomically
/// with the new phases.
public enum DeliveryPlanner {
    public static func deliveries(for change: PhaseChange, config: Config) -> [Delivery] {
        Router.matches(change, config: config).compactMap { match in
            if let wait = match.rule.groupWait, wait > .zero {
                return Grouping.delivery(for: match, wait: wait, config: config)
            }
            guard let request = Renderer.render(match: match, config: config) else { return nil }
            return Delivery(
                id: match.eventID, receiver: match.receiverName, rule: match.rule.name, jobID: change.rootID,
                uid: change.uid, transition: transition(change), request: request, createdAt: change.detectedAt)
        }
    }

    /// `Running → Failed`; a first sighting shows as `(new) → Running`.
    public static func transition(_ change: PhaseChange) -> String {
        "\(change.from.isEmpty ? "(new)" : change.from) → \(change.to)"
    }
}
