import CurlHTTP
public import Foundation

/// `group_wait` on a rule: the first matching change of a watched job opens a group — one delivery
/// due `group_wait` after the change — and later matching changes of the same job, for the same
/// rule and receiver, re-render that delivery instead of adding their own while it waits. So a
/// cluster whose sub-jobs fail one after the other, then the cluster itself, sends one message
/// listing every failure. A change after the group went out opens a new group.
///
/// Grouped deliveries are told apart by their id (`grp_…`), so the store needs no extra column and
/// ungrouped deliveries keep their insert-or-ignore semantics.
public enum Grouping {
    public static let idPrefix = "grp_"

    /// Stable per opening change, rule and receiver, like an event id: recording the same change
    /// twice (after a crash) cannot open two groups.
    public static func id(for match: Match) -> String {
        let change = match.change
        let eventID = EventID.make(key: "group|\(change.rootID)|\(change.key)", rule: match.rule.name, receiver: match.receiverName)
        return idPrefix + eventID.dropFirst("evt_".count)
    }

    public static func isGrouped(_ id: String) -> Bool { id.hasPrefix(idPrefix) }

    /// The delivery a grouped rule plans for `match`: rendered with the group id as `event.id`,
    /// due when the window closes.
    static func delivery(for match: Match, wait: Duration, config: Config) -> Delivery? {
        guard let receiver = config.receiver(named: match.receiverName) else { return nil }
        let change = match.change
        let id = id(for: match)
        let context = TemplateContext(change: change, rule: match.rule.name, receiver: match.receiverName, eventID: id,
                                      region: config.cce.region, projectID: config.cce.projectID)
        let request = Renderer.render(match: match, receiver: receiver, context: context)
        return Delivery(
            id: id, receiver: match.receiverName, rule: match.rule.name, jobID: change.rootID, uid: change.uid,
            transition: DeliveryPlanner.transition(change), request: request, createdAt: change.detectedAt,
            nextAttemptAt: change.detectedAt.addingTimeInterval(wait.seconds))
    }

    /// Whether an incoming change's rendering should replace the open group's. The watched job's
    /// own change is the headline (its reason sums up the failure), so a sub-job change that comes
    /// after it — CCE reports the parent first within one poll — does not replace it.
    static func replaces(openUID: String, incoming: Delivery) -> Bool {
        incoming.uid == incoming.jobID || openUID != incoming.jobID
    }

    /// `delivery`'s request joining the group `groupID`: its own would-be id (in `event.id` of the
    /// body or headers) becomes the group's, so `webhook-id` and the payload agree.
    static func request(of delivery: Delivery, joining groupID: String) -> RenderedRequest {
        var request = delivery.request
        guard delivery.id != groupID else { return request }
        if let body = request.body, let text = String(data: body, encoding: .utf8), text.contains(delivery.id) {
            request.body = Data(text.replacingOccurrences(of: delivery.id, with: groupID).utf8)
        }
        for index in request.headers.indices where request.headers[index].value.contains(delivery.id) {
            request.headers[index].value = request.headers[index].value.replacingOccurrences(of: delivery.id, with: groupID)
        }
        return request
    }
}
