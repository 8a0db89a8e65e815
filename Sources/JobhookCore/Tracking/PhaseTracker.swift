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
    /// A uid repeated in one tree is tracked at its first node only: keyed by uid, two nodes would
    /// overwrite each other's phase and flap on every poll (`untrackable(in:)` names the rest).
    public static func changes(
        previous: [String: String], tree: Job, rootID: String, detectedAt: Date
    ) -> [PhaseChange] {
        var out: [PhaseChange] = []
        var seen = Set<String>()
        walk(tree, parent: nil, isRoot: true, previous: previous, tree: tree,
             rootID: rootID, detectedAt: detectedAt, seen: &seen, into: &out)
        return out
    }

    /// Nodes with a phase whose changes `changes` cannot report, said in words for the log: a
    /// sub-job without a uid (CCE left it out, or it was not valid UTF-8, which the decoder drops),
    /// and a node repeating an earlier node's uid.
    public static func untrackable(in tree: Job, rootID: String) -> [String] {
        var out: [String] = []
        var seen: Set<String> = [tree.uid ?? rootID]
        func visit(_ node: Job) {
            for child in node.subJobs {
                let what = "sub-job \(child.type.map { "'\($0)'" } ?? "of no type") (phase \(child.phase ?? "none"))"
                if let uid = child.uid {
                    if !seen.insert(uid).inserted, child.phase != nil {
                        out.append("\(what) repeats the uid '\(uid)' of an earlier node; only the first is tracked")
                    }
                } else if child.phase != nil {
                    out.append("\(what) has no uid, or one that is not valid UTF-8; its changes cannot be reported")
                }
                visit(child)
            }
        }
        visit(tree)
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

    /// The first node with a uid wins, as in `changes`.
    private static func collect(_ node: Job, into out: inout [String: String]) {
        if let uid = node.uid, let phase = node.phase, out[uid] == nil { out[uid] = phase }
        for child in node.subJobs { collect(child, into: &out) }
    }

    private static func walk(
        _ node: Job, parent: Job?, isRoot: Bool, previous: [String: String], tree: Job,
        rootID: String, detectedAt: Date, seen: inout Set<String>, into out: inout [PhaseChange]
    ) {
        // The top-level node is the watched job even if CCE leaves out its uid. A repeated uid is
        // untracked from its second node on.
        var uid = node.uid ?? (isRoot ? rootID : nil)
        if let known = uid, !seen.insert(known).inserted { uid = nil }
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
                 rootID: rootID, detectedAt: detectedAt, seen: &seen, into: &out)
        }
    }
}
