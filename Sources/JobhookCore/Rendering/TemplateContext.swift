import CCE
import Foundation

/// Everything a template may name (README.md "Template context"): built once per (change, rule, receiver).
public struct TemplateContext: Sendable, Hashable {
    /// The top-level object: `event`, `job`, `root`, `parent` (sub-jobs only), `rule`, `receiver`, `cce`.
    public var value: TemplateValue

    public init(value: TemplateValue) {
        self.value = value
    }

    /// - Parameter root: `root.*` when the caller already built it for this change's tree and poll
    ///   (`rootFields(of:now:)`): every change of one poll shares it, so a tree with many sub-jobs costs
    ///   one summary per poll, not one per change.
    public init(change: PhaseChange, rule: String, receiver: String, eventID: String, region: String, projectID: String?,
                root: TemplateValue? = nil) {
        var top: [String: TemplateValue] = [
            "event": .object([
                "id": .string(eventID),
                "from": .string(change.from),
                "to": .string(change.to),
                "level": .string(change.level.rawValue),
                "detected_at": .string(GoTimestamp.formatRFC3339(change.detectedAt)),
            ]),
            "job": Self.fields(of: change.job, fallbackClusterID: change.parent?.clusterID ?? change.root.clusterID, now: change.detectedAt),
            "root": root ?? Self.rootFields(of: change.root, now: change.detectedAt),
            "rule": .object(["name": .string(rule)]),
            "receiver": .object(["name": .string(receiver)]),
            "cce": .object(["name": .string(change.account), "region": .string(region), "project_id": .string(projectID ?? "")]),
        ]
        if let parent = change.parent {
            top["parent"] = Self.fields(of: parent, fallbackClusterID: change.root.clusterID, now: change.detectedAt)
        }
        value = .object(top)
    }

    /// The context for `match` under `config`, with the settings of the change's account.
    public init(match: Match, eventID: String, config: Config, root: TemplateValue? = nil) {
        let cce = config.account(named: match.change.account)?.cce ?? config.cce
        self.init(change: match.change, rule: match.rule.name, receiver: match.receiverName, eventID: eventID,
                  region: cce.region, projectID: cce.projectID, root: root)
    }

    public subscript(path: String) -> TemplateValue? { value[path: path] }

    /// `job.*`: every field present (empty when CCE omitted it) so templates and `jobhook check`
    /// see the same names for every job. Sub-jobs often omit `cluster_id`; they inherit their
    /// ancestor's, since a sub-job always works on its parent's cluster.
    static func fields(of job: Job, fallbackClusterID: String? = nil, now: Date) -> TemplateValue {
        var extend: [String: TemplateValue] = [:]
        for (key, value) in job.extendParam { extend[key] = .string(value) }
        let end = job.updatedAt ?? now
        let elapsed = job.createdAt.map { DurationText.format(.seconds(max(0, Int64(end.timeIntervalSince($0))))) } ?? ""
        return .object([
            "id": .string(job.uid ?? ""),
            "type": .string(job.type ?? ""),
            "phase": .string(job.phase ?? ""),
            "reason": .string(job.reason ?? ""),
            "message": .string(job.message ?? ""),
            "cluster_id": .string(job.clusterID ?? fallbackClusterID ?? ""),
            "resource_id": .string(job.resourceID ?? ""),
            "resource_name": .string(job.resourceName ?? ""),
            "created_at": .string(job.createdAt.map(GoTimestamp.formatRFC3339) ?? ""),
            "updated_at": .string(job.updatedAt.map(GoTimestamp.formatRFC3339) ?? ""),
            "elapsed": .string(elapsed),
            "extend": .object(extend),
        ])
    }

    /// At most this many entries in `root.subjobs` and in `root.failed_subjobs`; the counts stay
    /// exact and `root.subjobs_omitted`/`root.failed_subjobs_omitted` say how many were left out.
    /// Every event of a tree carries the list, so without a cap a tree of N sub-jobs failing at once
    /// costs N² (README.md "Template context").
    public static let subJobListLimit = 20

    /// `root.*`: the job fields plus the flattened sub-job list (capped) and its counts.
    static func rootFields(of root: Job, now: Date) -> TemplateValue {
        guard case .object(var fields) = Self.fields(of: root, now: now) else { return .object([:]) }
        let all = flattenedSubJobs(of: root)
        func summary(_ job: Job) -> TemplateValue {
            .object([
                "id": .string(job.uid ?? ""),
                "type": .string(job.type ?? ""),
                "phase": .string(job.phase ?? ""),
                "reason": .string(job.reason ?? ""),
            ])
        }
        let failed = all.filter { $0.phase == "Failed" }
        fields["subjobs"] = .list(all.prefix(subJobListLimit).map(summary))
        fields["failed_subjobs"] = .list(failed.prefix(subJobListLimit).map(summary))
        fields["subjobs_omitted"] = .int(max(0, all.count - subJobListLimit))
        fields["failed_subjobs_omitted"] = .int(max(0, failed.count - subJobListLimit))
        fields["subjob_count"] = .int(all.count)
        fields["failed_count"] = .int(failed.count)
        fields["succeeded_count"] = .int(all.count { $0.phase == "Success" })
        return .object(fields)
    }

    /// Depth first, parents before their children: the order CCE runs them in.
    static func flattenedSubJobs(of job: Job) -> [Job] {
        job.subJobs.flatMap { [$0] + flattenedSubJobs(of: $0) }
    }
}
