/// A cluster as ListClusters shows it: enough to find the job working on it. CCE sets `status.jobID`
/// while the cluster is being created or deleted (and after a failed delete) and forgets it later.
public struct ListedCluster: Sendable, Hashable {
    /// `metadata.uid`: the cluster ID.
    public var uid: String?
    public var name: String?
    /// `status.phase`: `Creating`, `Deleting`, `Available`, `Error`… (kept as is).
    public var phase: String?
    /// `status.jobID` (or `jobId`/`jobid`); nil when absent or empty.
    public var jobID: String?

    public init(uid: String? = nil, name: String? = nil, phase: String? = nil, jobID: String? = nil) {
        self.uid = uid
        self.name = name
        self.phase = phase
        self.jobID = jobID
    }
}
