/// Finds a project's jobs without being told their IDs, for `discover:`: ListJobs where the credentials
/// may list jobs, otherwise the job IDs CCE keeps on clusters and nodes that are being worked on.
/// `CCEClient` implements it against the real API (or the simulator).
public protocol JobListing: Sendable {
    /// ListJobs v2 `GET /api/v2/projects/{project_id}/jobs`: the project's jobs as CCE lists them (top-level jobs, order as given).
    func listJobs() async throws(CCEError) -> [Job]
    /// ListClusters `GET /api/v3/projects/{project_id}/clusters`.
    func listClusters() async throws(CCEError) -> [ListedCluster]
    /// ListNodes `GET /api/v3/projects/{project_id}/clusters/{cluster_id}/nodes`, following `marker` paging (limit 2000) to the end (bounded: stop after, say, 50 pages).
    func listNodes(clusterID: String) async throws(CCEError) -> [ListedNode]
    /// ShowCluster `GET /api/v3/projects/{project_id}/clusters/{cluster_id}`: for push intake, the job
    /// working on a cluster a CTS trace names when the trace's response does not say.
    func showCluster(_ clusterID: String) async throws(CCEError) -> ListedCluster
}
