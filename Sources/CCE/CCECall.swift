/// One GET `CCEClient` makes: where it goes, how large its answer may be, and how its failures speak
/// (ShowJob errors name the job; listing errors name the listing and the permission it needs).
struct CCECall: Sendable {
    enum Kind: Sendable, Hashable {
        case showJob, listJobs, listClusters, listNodes, showCluster

        /// The IAM action a 403 means is missing.
        var permission: String {
            switch self {
            case .showJob: "cce:job:get"
            case .listJobs: "cce:job:list"
            case .listClusters: "cce:cluster:list"
            case .listNodes: "cce:node:list"
            case .showCluster: "cce:cluster:get"
            }
        }

        var notFoundHint: String {
            switch self {
            case .showJob: "no such job in this project, or it has expired from CCE's short job history"
            case .listJobs: "this endpoint does not serve ListJobs (v2) for this project"
            case .listClusters: "no such project at this endpoint"
            case .listNodes: "no such cluster in this project"
            case .showCluster: "no such cluster in this project (deleted already?)"
            }
        }
    }

    var kind: Kind
    /// After the endpoint, starting with `/`, every segment already validated.
    var path: String
    /// Name–value pairs, sent in canonical (signed) order.
    var query: [(name: String, value: String)] = []
    /// Set for ShowJob only.
    var jobID: String?
    /// Set for listings only: `ListJobs`, `ListClusters`, `ListNodes cluster X`.
    var operation: String?
    var maxResponseBytes: Int

    static func showJob(_ id: String, projectID: String) -> CCECall {
        CCECall(kind: .showJob, path: "/api/v3/projects/\(projectID)/jobs/\(id)", jobID: id,
                maxResponseBytes: CCEClient.maxResponseBytes)
    }

    static func listJobs(projectID: String) -> CCECall {
        CCECall(kind: .listJobs, path: "/api/v2/projects/\(projectID)/jobs", operation: "ListJobs",
                maxResponseBytes: CCEClient.maxListingBytes)
    }

    static func listClusters(projectID: String) -> CCECall {
        CCECall(kind: .listClusters, path: "/api/v3/projects/\(projectID)/clusters", operation: "ListClusters",
                maxResponseBytes: CCEClient.maxListingBytes)
    }

    static func showCluster(projectID: String, clusterID: String) -> CCECall {
        CCECall(kind: .showCluster, path: "/api/v3/projects/\(projectID)/clusters/\(clusterID)", operation: "ShowCluster \(clusterID)",
                maxResponseBytes: CCEClient.maxResponseBytes)
    }

    static func listNodes(projectID: String, clusterID: String, limit: Int, marker: String?) -> CCECall {
        var query = [(name: "limit", value: String(limit))]
        if let marker { query.append((name: "marker", value: marker)) }
        return CCECall(kind: .listNodes, path: "/api/v3/projects/\(projectID)/clusters/\(clusterID)/nodes",
                       query: query, operation: listNodesOperation(clusterID),
                       maxResponseBytes: CCEClient.maxListingBytes)
    }

    static func listNodesOperation(_ clusterID: String) -> String {
        "ListNodes cluster \(clusterID)"
    }

    /// The path and, when there is one, the canonical query: what is sent is exactly what is signed.
    var target: String {
        query.isEmpty ? path : path + "?" + SDKSignature.canonicalQuery(query)
    }
}
