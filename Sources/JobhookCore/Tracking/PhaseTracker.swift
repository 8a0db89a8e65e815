public import CCE
public import Foundation

/// The pure diff at the heart of tracking: given the phases recorded so far and a freshly polled job
/// tree, which jobs and sub-jobs changed phase. No I/O and no state, so it is tested directly and the
/// poller only has to remember a `[uid: phase]` map per watched job.
public enum PhaseTracker {
    /// The phase changes in `tree` relative to `previous` (phase by `metadata.uid`).
    ///
    /// Order is parent before children (depth-first pre-order, siblings in document order), so a
    /// receiver sees "cluster Running" before "InstallMaster Running". A node first seen is a change
    /// from `""`. Nodes without a uid cannot be tracked and are skipped, but their children are still
    /// walked with the nearest tracked ancestor as their parent; nodes without a phase are skipped.
    /// Sub-jobs missing from this poll are not reported: CCE sometimes omits them transiently.
    public static func changes(
        previous: [String: String], tree: Job, rootID: String, detectedAt: Date
    ) -> [PhaseChange] {
        var out: [PhaseChange] = []
        walk(tree, parent: nil, isRoot: true, previous: previous, tree: tree,
             rootID: rootID, detectedAt: detectedAt, into: &out)
        return out
    }

    /// Every tracked node's current phase, to record after the changes are handed on.
    /// - Parameter rootID: the watched ID, used for the top-level node when it has no uid (as `changes` does).
    public static func phases(of tree: Job, rootID: String? = nil) -> [String: String] {
        var out: [String: String] = [:]
        if tree.uid == nil, let rootID, let phase = tree.phase { out[rootID] = phase }
        collect(tree, into: &out)
        return out
    }

    private static func collect(_ node: Job, into out: inout [String: String]) {
        if let uid = node.uid, let phase = node.phase { out[uid] = phase }
        for child in node.subJobs { collect(child, into: &out) }
    }

    private static func walk(
        _ node: Job, parent: Job?, isRoot: Bool, previous: [String: String], tree: Job,
        rootID: String, detectedAt: Date, into out: inout [PhaseChange]
    ) {
        // The top-level node is the watched job even if CCE leaves out its uid.
        let uid = node.uid ?? (isRoot ? rootID : nil)
        if let uid, let phase = node.phase {
            let from = previous[uid] ?? ""
            if from != phase {
                out.append(PhaseChange(
                    rootID: rootID, uid: uid, level: isRoot ? .job : .subjob, from: from, to: phase,
                    job: node, parent: isRoot ? nil : parent, root: tree, detectedAt: detectedAt
                ))
            }
        }
        let childParent = uid != nil ? node : parent
        for child in node.subJobs {
            walk(child, parent: childParent, isRoot: false, previous: previous, tree: tree,
                 rootID: rootID, detectedAt: detectedAt, into: &out)
        }
    }
}
