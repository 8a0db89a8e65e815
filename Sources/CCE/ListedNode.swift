/// A node as ListNodes shows it. CCE sets `status.jobID` to the job of its creation or deletion.
public struct ListedNode: Sendable, Hashable {
    /// `metadata.uid`: the node ID.
    public var uid: String?
    public var name: String?
    /// `status.phase`: `Build`, `Installing`, `Deleting`, `Active`, `Error`… (kept as is).
    public var phase: String?
    /// `status.jobID` (or `jobId`/`jobid`); nil when absent or empty.
    public var jobID: String?
    /// The cluster whose listing showed the node (not part of the node document).
    public var clusterID: String

    public init(uid: String? = nil, name: String? = nil, phase: String? = nil, jobID: String? = nil, clusterID: String) {
        self.uid = uid
        self.name = name
        self.phase = phase
        self.jobID = jobID
        self.clusterID = clusterID
    }
}
