/// The listings the simulator serves, as `list:` faults and `/sim/stats` name them.
public enum SimulatedListing: String, Sendable, Hashable, Codable, CaseIterable {
    /// ListJobs v2, `GET /api/v2/projects/{project_id}/jobs`.
    case jobs
    /// ListClusters, `GET /api/v3/projects/{project_id}/clusters`.
    case clusters
    /// ListNodes, `GET /api/v3/projects/{project_id}/clusters/{cluster_id}/nodes` (any cluster).
    case nodes
    /// ShowCluster, `GET /api/v3/projects/{project_id}/clusters/{cluster_id}` (any cluster): not a listing,
    /// but how jobhook finds the job behind a CTS trace that carries no job ID, so it fails the same ways.
    case showCluster = "show_cluster"
}
