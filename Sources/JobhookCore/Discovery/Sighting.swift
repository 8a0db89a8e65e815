public import CCE
public import Foundation

/// A job a listing showed: a ListJobs entry, or the `status.jobID` of a cluster or node at work.
public struct Sighting: Sendable, Hashable {
    public var jobID: String
    /// nil when the listing does not tell (a cluster `Resizing`).
    public var type: String?
    public var clusterID: String?
    /// nil when the listing does not tell: a cluster or node at work means its job is not done.
    public var phase: String?
    public var updatedAt: Date?
    /// The whole entry (ListJobs): the phases a baseline records come from it.
    public var tree: Job?

    public init(jobID: String, type: String? = nil, clusterID: String? = nil, phase: String? = nil, updatedAt: Date? = nil,
                tree: Job? = nil) {
        self.jobID = jobID
        self.type = type
        self.clusterID = clusterID
        self.phase = phase
        self.updatedAt = updatedAt
        self.tree = tree
    }

    /// A ListJobs entry; nil without an ID.
    public init?(listed job: Job) {
        guard let id = job.uid, !id.isEmpty else { return nil }
        self.init(jobID: id, type: job.type, clusterID: job.clusterID, phase: job.phase, updatedAt: job.updatedAt ?? job.createdAt,
                  tree: job)
    }
}

/// `via: clusters`: the jobs of clusters and nodes in a working phase. CCE sets `status.jobID`
/// while a cluster is created or deleted and on a node for its creation or deletion; a settled
/// cluster or node may still carry an old one, which is not a job at work.
public enum ClusterSightings {
    /// Cluster phases of work in progress, and the job type each implies (nil: not told).
    static let clusterWork: [String: String?] = [
        "Creating": "CreateCluster", "Deleting": "DeleteCluster", "Upgrading": nil, "Resizing": nil, "ScalingUp": nil,
        "ScalingDown": nil, "RollingBack": nil, "Hibernating": nil, "Awaking": nil,
    ]
    /// Node phases of work in progress, likewise.
    static let nodeWork: [String: String?] = ["Build": "CreateNode", "Installing": "CreateNode", "Deleting": "DeleteNode", "Upgrading": nil]

    public static func sightings(clusters: [ListedCluster], nodes: [ListedNode]) -> [Sighting] {
        var out: [Sighting] = []
        for cluster in clusters {
            guard let phase = cluster.phase, let type = clusterWork[phase], let jobID = cluster.jobID, !jobID.isEmpty else { continue }
            out.append(Sighting(jobID: jobID, type: type, clusterID: cluster.uid))
        }
        for node in nodes {
            guard let phase = node.phase, let type = nodeWork[phase], let jobID = node.jobID, !jobID.isEmpty else { continue }
            out.append(Sighting(jobID: jobID, type: type, clusterID: node.clusterID))
        }
        return out
    }
}
