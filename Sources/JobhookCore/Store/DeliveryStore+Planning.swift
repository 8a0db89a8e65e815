public import CCE
public import Foundation

extension DeliveryStore {
    /// Plans the deliveries one poll's `changes` owe and records them with the poll's phases in one
    /// transaction. Plans against the job's open `group_wait` groups, so a change joining one is
    /// rendered with the group's id; when a group closed (or another opened) before the record, plans
    /// once more with fresh groups. Returns what was recorded.
    @discardableResult
    public func planAndRecord(
        jobID: String, tree: Job, changes: [PhaseChange], config: Config, watchState: Watch.State?,
        now: @Sendable () -> Date = Date.init
    ) async throws(StoreError) -> [Delivery] {
        var replanned = false
        while true {
            let open = try await openGroups(jobID: jobID, now: now())
            let deliveries = DeliveryPlanner.deliveries(for: changes, config: config, openGroups: open)
            let poll = PollRecord(jobID: jobID, tree: tree, phases: PhaseTracker.phases(of: tree), deliveries: deliveries,
                                  watchState: watchState, openGroups: open)
            do {
                try await record(poll)
                return deliveries
            } catch where error.kind == .staleGroups && !replanned {
                replanned = true
            }
        }
    }
}
