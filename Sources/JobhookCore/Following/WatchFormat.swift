public import CCE
public import Foundation

/// How `jobhook watch` shows what happens: a line per change for logs and pipes, JSON lines for
/// scripts, and a phase tree for a terminal. Pure, so tests read the exact output.
public enum WatchFormat {
    /// `12:01:05 CreateCluster 354331b2c… Running → Failed: reason` (sub-jobs indented by their level).
    public static func line(_ change: PhaseChange) -> String {
        let time = clockTime(change.detectedAt)
        let indent = change.level == .subjob ? "  └ " : ""
        let reason = Job.isTerminal(change.to) && change.to == "Failed" ? reasonSuffix(change.job.reason) : ""
        return PrintableText.escape("\(time) \(indent)\(change.job.type ?? "Job") \(change.uid) \(DeliveryPlanner.transition(change))") + reason
    }

    /// One JSON object per event, for `--json`; nil for events with nothing to say.
    public static func json(_ event: PollerEvent) -> [String] {
        var objects: [[String: Any]] = []
        switch event {
        case .changes(let changes, _):
            for change in changes {
                var object: [String: Any] = [
                    "event": "change", "job_id": change.rootID, "uid": change.uid, "level": change.level.rawValue,
                    "type": change.job.type ?? "", "from": change.from, "to": change.to,
                    "detected_at": GoTimestamp.formatRFC3339(change.detectedAt),
                ]
                if let reason = change.job.reason, !reason.isEmpty { object["reason"] = reason }
                objects.append(object)
            }
        case .finished(let jobID, let tree):
            objects.append(["event": "finished", "job_id": jobID, "phase": tree.phase ?? ""])
        case .timedOut(let jobID):
            objects.append(["event": "timeout", "job_id": jobID])
        case .expired(let jobID, let error):
            objects.append(["event": "expired", "job_id": jobID, "error": error.description])
        case .failed(let jobID, let error):
            objects.append(["event": "error", "job_id": jobID, "error": error.description])
        case .credentialsRejected(let error):
            objects.append(["event": "credentials_rejected", "error": error.description])
        }
        return objects.map { object in
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            return String(decoding: data, as: UTF8.self)
        }
    }

    /// The phase tree of one job: type, phase, elapsed, and the reason of what failed.
    public static func tree(_ job: Job, now: Date) -> [String] {
        var lines: [String] = []
        walk(job, prefix: "", childPrefix: "", now: now, into: &lines)
        return lines
    }

    private static func walk(_ job: Job, prefix: String, childPrefix: String, now: Date, into lines: inout [String]) {
        let phase = job.phase ?? "?"
        let end = Job.isTerminal(job.phase) ? (job.updatedAt ?? now) : now
        let elapsed = job.createdAt.map { " " + DurationText.format(.seconds(max(0, Int(end.timeIntervalSince($0))))) } ?? ""
        let mark = phase == "Success" ? "✓" : phase == "Failed" ? "✗" : "…"
        let name = job.resourceName.map { " \($0)" } ?? ""
        let reason = phase == "Failed" ? reasonSuffix(job.reason) : ""
        lines.append(prefix + PrintableText.escape("\(mark) \(job.type ?? "Job")\(name) \(phase)\(elapsed)") + reason)
        for (index, sub) in job.subJobs.enumerated() {
            let last = index == job.subJobs.count - 1
            walk(sub, prefix: childPrefix + (last ? "└─ " : "├─ "), childPrefix: childPrefix + (last ? "   " : "│  "), now: now, into: &lines)
        }
    }

    private static func reasonSuffix(_ reason: String?) -> String {
        guard let reason, !reason.isEmpty else { return "" }
        return ": " + PrintableText.escape(reason)
    }

    private static func clockTime(_ date: Date) -> String {
        date.formatted(.iso8601.time(includingFractionalSeconds: false))
    }
}
