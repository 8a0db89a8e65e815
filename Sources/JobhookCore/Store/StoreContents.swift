public import Foundation

/// Everything a state store holds, row for row (watches, phases, baselines, the queue, silences, SMN
/// intake message IDs): what `jobhook state copy` moves from an SQLite file
/// into an empty PostgreSQL database. Ids and times are kept exactly, so after the switch the pending
/// deliveries go out once, with the same `webhook-id`s, when they were due anyway.
public struct StoreContents: Sendable {
    /// A row of `phases`: the last phase of one job or sub-job uid, and the root job it belongs to.
    public struct Phase: Sendable, Hashable {
        public var uid: String
        public var phase: String
        public var jobID: String
        public var updatedAt: Date

        public init(uid: String, phase: String, jobID: String, updatedAt: Date) {
            self.uid = uid
            self.phase = phase
            self.jobID = jobID
            self.updatedAt = updatedAt
        }
    }

    public var watches: [Watch] = []
    public var phases: [Phase] = []
    /// Discovery's baseline time by account.
    public var baselines: [String: Date] = [:]
    /// The whole queue, every state, with attempts, times, errors and groups.
    public var deliveries: [Delivery] = []
    public var silences: [Silence] = []
    /// SMN push intake: the message IDs acted on, with when they were received.
    public var intakeMessages: [String: Date] = [:]

    public init() {}

    /// `watches 3, phases 12, …`: what `state copy` prints.
    public var counts: [(String, Int)] {
        [("watches", watches.count), ("phases", phases.count), ("discovery baselines", baselines.count),
         ("deliveries", deliveries.count), ("silences", silences.count), ("intake messages", intakeMessages.count)]
    }
}
