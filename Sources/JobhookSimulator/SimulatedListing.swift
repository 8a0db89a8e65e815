/// The listings the simulator serves, as `list:` faults and `/sim/stats` name them.
public enum SimulatedListing: String, Sendable, Hashable, Codable, CaseIterable {
    /// ListJobs v2, `GET /api/v2/projects/{project_id}/jobs`.
    case jobs
    /// ListClusters, `GET /api/v3/projects/{project_id}/clusters`.
    case clusters
    /// ListNodes, `GET /api/v3/projects/{project_id}/clusters/{cluster_id}/nodes` (any cluster).
    case nodes
}
