import Foundation

/// From phase changes to the deliveries they owe: every matching rule, every receiver it notifies,
/// rendered now so retries send the same bytes. Pure: the pipeline reads the job's open groups
/// first and records the result atomically with the new phases (`Pipeline.record`).
public enum DeliveryPlanner {
    /// The deliveries one poll's `changes` of one job owe, in order. A match of a `group_wait` rule
    /// joins the group `openGroups` names for its key, or opens one that the later changes of the
    /// same batch join.
    /// The changes of one poll share their tree, so `root.*` is summarised once for all of them.
    /// A match an active silence covers is still rendered, but recorded `silenced` (never attempted).
    public static func deliveries(
        for changes: [PhaseChange], config: Config, openGroups: [GroupKey: String], silences: SilenceSet = .empty
    ) -> [Delivery] {
        var groups = openGroups
        var shared: (rootID: String, detectedAt: Date, root: TemplateValue)?
        return changes.flatMap { change in
            let matches = Router.matches(change, config: config)
            guard !matches.isEmpty else { return [Delivery]() }
            // Comparing the trees themselves would cost what sharing saves: one poll = one job, one time.
            if shared?.rootID != change.rootID || shared?.detectedAt != change.detectedAt {
                shared = (change.rootID, change.detectedAt, TemplateContext.rootFields(of: change.root, now: change.detectedAt))
            }
            if let silence = silences.silencing(change) {
                return matches.compactMap { silenced($0, by: silence, config: config, root: shared?.root) }
            }
            return deliveries(for: matches, config: config, openGroups: &groups, root: shared?.root)
        }
    }

    /// The deliveries of one change's `matches`; a group it opens is added to `openGroups`. `root`
    /// is its tree's `root.*` when already built.
    static func deliveries(for matches: [Match], config: Config, openGroups: inout [GroupKey: String], root: TemplateValue?) -> [Delivery] {
        matches.compactMap { match in
            let change = match.change
            guard let receiver = config.receiver(named: match.receiverName) else { return nil }
            guard let wait = match.rule.groupWait, wait > .zero else {
                let request = render(match, id: match.eventID, receiver: receiver, config: config, root: root)
                return delivery(for: match, id: match.eventID, request: request, dueAt: change.detectedAt)
            }
            let key = GroupKey(match)
            let id = openGroups[key] ?? Grouping.id(for: match)
            openGroups[key] = id
            let request = render(match, id: id, receiver: receiver, config: config, root: root)
            return delivery(for: match, id: id, request: request, dueAt: change.detectedAt.addingTimeInterval(wait.seconds), group: key)
        }
    }

    /// A muted match: its own delivery (it joins no group), kept as `silenced` so it can be listed
    /// and re-driven, rendered like any other so a re-drive sends what would have gone out.
    static func silenced(_ match: Match, by silence: Silence, config: Config, root: TemplateValue?) -> Delivery? {
        guard let receiver = config.receiver(named: match.receiverName) else { return nil }
        let request = render(match, id: match.eventID, receiver: receiver, config: config, root: root)
        var delivery = delivery(for: match, id: match.eventID, request: request, dueAt: match.change.detectedAt)
        delivery.state = .silenced
        delivery.finishedAt = match.change.detectedAt
        delivery.lastError = "silenced by \(silence.id)"
        return delivery
    }

    /// The one place a match becomes a `Delivery`. `id` is its `webhook-id`, the `event.id` the
    /// request was rendered with; a group is due when its window closes.
    static func delivery(for match: Match, id: String, request: RenderedRequest, dueAt: Date, group: GroupKey? = nil) -> Delivery {
        let change = match.change
        return Delivery(
            id: id, receiver: match.receiverName, rule: match.rule.name, jobID: change.rootID, uid: change.uid,
            transition: transition(change), request: request, createdAt: change.detectedAt, nextAttemptAt: dueAt, group: group,
            account: change.account)
    }

    static func render(_ match: Match, id: String, receiver: Receiver, config: Config, root: TemplateValue? = nil) -> RenderedRequest {
        let context = TemplateContext(match: match, eventID: id, config: config, root: root)
        return Renderer.render(match: match, receiver: receiver, context: context)
    }

    /// `Running → Failed`; a first sighting shows as `(new) → Running`.
    public static func transition(_ change: PhaseChange) -> String {
        "\(change.from.isEmpty ? "(new)" : change.from) → \(change.to)"
    }
}
