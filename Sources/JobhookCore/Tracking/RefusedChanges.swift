public import CCE

/// The changes of one job that the store refused (a full disk, a lost database), kept until recorded.
///
/// The poller diffs every answer against the *recorded* phases, so a refused change is normally
/// just detected again an interval later. Not so a phase the job passes through while the store is
/// failing: recorded Initializing, refused "Initializing → Running", and by the next poll the job is
/// Success — the diff says "Initializing → Success" and Running was never told. So the refused
/// changes are kept here and reported again, ahead of the new diff, which starts from their phases
/// (`overlaid(on:)`); the chain stays whole.
///
/// All of a refused report is kept (its changes share the polled tree, so a big tree costs its
/// tree once): while a node's phase stays, the next diff reports nothing for it and the kept change
/// goes out once. Over `limit` per job, the changes a diff would reproduce go first — each node's
/// last one when the refused tree still has that phase — then the oldest, and the poller says so.
public struct RefusedChanges: Sendable {
    public private(set) var changes: [PhaseChange] = []

    /// At most this many refused changes are kept per job.
    public static let limit = 10_000

    public init() {}

    public var isEmpty: Bool { changes.isEmpty }

    /// Replaces what is kept by the refused `report` (which begins with what was kept before) against
    /// `tree`, the answer it came from. Returns how many changes had to be dropped over `limit` that
    /// no later diff can reproduce.
    @discardableResult
    public mutating func keep(_ report: [PhaseChange], tree: Job, rootID: String) -> Int {
        guard report.count > Self.limit else {
            changes = report
            return 0
        }
        let current = PhaseTracker.phases(of: tree, rootID: rootID)
        var lastIndex: [String: Int] = [:]
        for (index, change) in report.enumerated() { lastIndex[change.uid] = index }
        var excess = report.count - Self.limit
        var kept: [PhaseChange] = []
        kept.reserveCapacity(Self.limit)
        for (index, change) in report.enumerated() {
            let detectedAgain = lastIndex[change.uid] == index && current[change.uid] == change.to
            if detectedAgain, excess > 0 { excess -= 1 } else { kept.append(change) }
        }
        changes = Array(kept.suffix(Self.limit))
        return kept.count - changes.count
    }

    /// `recorded` with each kept node at the phase its last kept change reached: what the next
    /// answer is compared with.
    public func overlaid(on recorded: [String: String]) -> [String: String] {
        var phases = recorded
        for change in changes { phases[change.uid] = change.to }
        return phases
    }
}
