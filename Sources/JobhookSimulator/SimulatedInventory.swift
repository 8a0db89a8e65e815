import CCE

/// The clusters and nodes the simulated project has at one instant, derived from the jobs' timelines
/// the way CCE keeps `status.jobID` on the resource a job works on. Jobs are replayed in the order they
/// began (a job that has not begun has no effect yet):
///
/// - `CreateCluster`: its `cluster_id` is `Creating` with the job's ID until the job ends, then
///   `Available` (`Failed`: `Error`, no job ID).
/// - `DeleteCluster`: `Deleting` with the job's ID until it ends, then gone (`Failed`: `Error`, job ID
///   kept, as CCE keeps it after a failed delete).
/// - `CreateNode` / `DeleteNode`: the same for a node of `cluster_id` (`Installing` → `Active`,
///   `Deleting` → gone, `Failed` → `Error`); the node ID is `resource_id`, else `node-<job id>`.
/// - Any other job naming a cluster not seen before makes it `Available`: a node job needs its cluster
///   to be listed, or discovery through clusters could never find it.
///
/// Expiry (`expire_after`) hides a job from ShowJob and ListJobs, not what it did to its cluster.
struct SimulatedInventory {
    struct Resource: Sendable, Hashable {
        var uid: String
        var name: String
        var phase: String
        var jobID: String?
    }

    /// A top-level job as the inventory needs it: the script, when it began, its phase now.
    struct Entry {
        var job: Scenario.ScriptedJob
        var began: Duration
        var phase: String?
    }

    /// In the order they first appeared.
    private(set) var clusters: [Resource] = []
    /// Per cluster ID, sorted by node ID (the order ListNodes pages in).
    private(set) var nodes: [String: [Resource]] = [:]

    init(_ entries: [Entry]) {
        var clusterOrder: [String] = []
        var clusterState: [String: Resource?] = [:]  // .some(nil): deleted
        var nodeOrder: [(cluster: String, node: String)] = []
        var nodeState: [String: Resource?] = [:]

        func set(_ id: String, _ resource: Resource?, in state: inout [String: Resource?]) -> Bool {
            let isNew = state[id] == nil
            state[id] = .some(resource)
            return isNew
        }

        let replay = entries.enumerated().sorted { ($0.element.began, $0.offset) < ($1.element.began, $1.offset) }
        for entry in replay.map(\.element) {
            let job = entry.job
            guard let clusterID = job.clusterID else { continue }
            let ended = Job.isTerminal(entry.phase)
            let succeeded = entry.phase == "Success"
            let clusterName = job.resourceName ?? clusterState[clusterID]??.name ?? clusterID
            var cluster: Resource??  // nil: unchanged
            switch job.type {
            case "CreateCluster":
                cluster = Self.created(uid: clusterID, name: clusterName, jobID: job.id, working: "Creating", settled: "Available",
                                       ended: ended, succeeded: succeeded)
            case "DeleteCluster":
                cluster = Self.deleted(uid: clusterID, name: clusterName, jobID: job.id, ended: ended, succeeded: succeeded)
            default:
                if clusterState[clusterID] == nil {
                    cluster = Resource(uid: clusterID, name: clusterID, phase: "Available")
                }
            }
            if let cluster, set(clusterID, cluster, in: &clusterState) { clusterOrder.append(clusterID) }

            let nodeID = job.nodeID
            let nodeName = job.resourceName ?? nodeState[nodeID]??.name ?? nodeID
            var node: Resource??
            switch job.type {
            case "CreateNode":
                node = Self.created(uid: nodeID, name: nodeName, jobID: job.id, working: "Installing", settled: "Active",
                                    ended: ended, succeeded: succeeded)
            case "DeleteNode":
                node = Self.deleted(uid: nodeID, name: nodeName, jobID: job.id, ended: ended, succeeded: succeeded)
            default:
                break
            }
            if let node, set(nodeID, node, in: &nodeState) { nodeOrder.append((clusterID, nodeID)) }
        }

        clusters = clusterOrder.compactMap { clusterState[$0] ?? nil }
        let present = Set(clusters.map(\.uid))
        for (cluster, node) in nodeOrder where present.contains(cluster) {
            if let resource = nodeState[node] ?? nil { nodes[cluster, default: []].append(resource) }
        }
        for cluster in nodes.keys { nodes[cluster]?.sort { $0.uid < $1.uid } }
    }

    /// ListNodes' page: up to `limit` nodes after `marker` (a node ID, normally the last of the page
    /// before), nil when the cluster is not listed.
    func nodes(of clusterID: String, limit: Int, after marker: String?) -> [Resource]? {
        guard clusters.contains(where: { $0.uid == clusterID }) else { return nil }
        let all = nodes[clusterID] ?? []
        let rest = marker.map { marker in all.drop { $0.uid <= marker } } ?? all[...]
        return Array(rest.prefix(limit))
    }

    /// A created resource: at work (with the job's ID) while the job runs, then settled, or `Error`
    /// without the job's ID when it failed. The outer optional is "changed".
    static func created(uid: String, name: String, jobID: String, working: String, settled: String,
                        ended: Bool, succeeded: Bool) -> Resource?? {
        guard ended else { return Resource(uid: uid, name: name, phase: working, jobID: jobID) }
        return Resource(uid: uid, name: name, phase: succeeded ? settled : "Error")
    }

    /// A deleted resource: `Deleting` while the job runs, then gone, or `Error` keeping the job's
    /// ID after a failed delete (as the SDK documents for clusters).
    static func deleted(uid: String, name: String, jobID: String, ended: Bool, succeeded: Bool) -> Resource?? {
        guard ended else { return Resource(uid: uid, name: name, phase: "Deleting", jobID: jobID) }
        return succeeded ? .some(nil) : Resource(uid: uid, name: name, phase: "Error", jobID: jobID)
    }
}

extension Scenario.ScriptedJob {
    /// The node a node job works on.
    var nodeID: String { resourceID ?? "node-\(id)" }

    /// ShowJob's `resourceID`: the node for node jobs, otherwise `resource_id` or the cluster.
    var shownResourceID: String? {
        switch type {
        case "CreateNode", "DeleteNode": nodeID
        default: resourceID ?? clusterID
        }
    }
}
