public import CCE
public import Foundation

extension PhaseTracker {
    /// The synthetic change that ends a watch at `poll.job_timeout`: the top-level job goes from its
    /// last phase to `Timeout`, so rules can alert on it (`match: {phase: Timeout}`).
    public static func timeout(of tree: Job, rootID: String, detectedAt: Date) -> PhaseChange? {
        var job = tree
        let from = tree.phase ?? ""
        job.phase = "Timeout"
        return PhaseChange(
            rootID: rootID, uid: tree.uid ?? rootID, level: .job, from: from, to: "Timeout",
            job: job, parent: nil, root: job, detectedAt: detectedAt)
    }
}
