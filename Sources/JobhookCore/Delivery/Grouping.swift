import Foundation

/// `group_wait` on a rule: the first matching change of a watched job opens a group — one delivery
/// due `group_wait` after the change — and later matching changes of the same job, for the same
/// rule and receiver, re-render that delivery instead of adding their own while it waits. So a
/// cluster whose sub-jobs fail one after the other, then the cluster itself, sends one message
/// listing every failure. A change after the group went out opens a new group.
///
/// A group is a delivery with a `GroupKey`. The pipeline plans against the job's open groups
/// (`DeliveryStore.openGroups`), so a change joining one is rendered with the group's id as
/// `event.id` from the start; the store folds it in only if the group is still open.
public enum Grouping {
    /// Stable per opening change, rule and receiver, like an event id: recording the same change
    /// twice (after a crash) cannot open two groups. `grp_` only makes ids readable in tables and
    /// logs; nothing depends on it.
    public static func id(for match: Match) -> String {
        let change = match.change
        let eventID = EventID.make(key: "group|\(change.rootID)|\(change.key)", rule: match.rule.name, receiver: match.receiverName)
        return "grp_" + eventID.dropFirst("evt_".count)
    }

    /// Whether an incoming change's rendering should replace the open group's. The watched job's
    /// own change is the headline (its reason sums up the failure), so a sub-job change that comes
    /// after it — CCE reports the parent first within one poll — does not replace it.
    package static func replaces(openUID: String, incoming: Delivery) -> Bool {
        incoming.uid == incoming.jobID || openUID != incoming.jobID
    }
}
