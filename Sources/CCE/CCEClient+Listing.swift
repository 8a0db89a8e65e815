import CurlHTTP
import Foundation
import Logging

/// The listings behind `discover:`, through the same request path as ShowJob (signing, the one retry
/// after a 401 with renewed credentials, error classification), with a larger answer limit.
extension CCEClient: JobListing {
    /// ListNodes' largest page (CCE's maximum and default).
    public static let nodePageLimit = 2000
    /// ListNodes pages read at most (100,000 nodes): a gateway that ignores `marker` cannot loop us forever.
    public static let maxNodePages = 50

    public func listJobs() async throws(CCEError) -> [Job] {
        let call = CCECall.listJobs(projectID: projectID)
        return try decode(call, try await perform(call)) { data throws(JobDecodingError) in try Job.decodeList(data) }
    }

    public func listClusters() async throws(CCEError) -> [ListedCluster] {
        let call = CCECall.listClusters(projectID: projectID)
        return try decode(call, try await perform(call)) { data throws(JobDecodingError) in
            try ListedCluster.decodeList(data)
        }
    }

    public func showCluster(_ clusterID: String) async throws(CCEError) -> ListedCluster {
        if let problem = JobID.problem(clusterID, noun: "cluster") {
            throw CCEError(.invalidJobID, operation: "ShowCluster", message: problem)
        }
        let call = CCECall.showCluster(projectID: projectID, clusterID: clusterID)
        return try decode(call, try await perform(call)) { data throws(JobDecodingError) in try ListedCluster.decode(data) }
    }

    /// Pages with `limit` and `marker` (the last node ID of the page before) until a page is short, empty,
    /// or brings no node not seen already, so a server that ignores `marker` ends the walk after two pages.
    public func listNodes(clusterID: String) async throws(CCEError) -> [ListedNode] {
        if let problem = JobID.problem(clusterID, noun: "cluster") {
            throw CCEError(.invalidJobID, operation: "ListNodes", message: problem)
        }
        var nodes: [ListedNode] = []
        var seen: Set<String> = []
        var marker: String?
        for _ in 0..<Self.maxNodePages {
            let call = CCECall.listNodes(projectID: projectID, clusterID: clusterID, limit: Self.nodePageLimit, marker: marker)
            let page = try decode(call, try await perform(call)) { data throws(JobDecodingError) in
                try ListedNode.decodeList(data, clusterID: clusterID)
            }
            var fresh = 0
            for node in page where node.uid.map({ seen.insert($0).inserted }) ?? true {
                nodes.append(node)
                fresh += 1
            }
            guard page.count >= Self.nodePageLimit, fresh > 0, let last = page.last?.uid else { return nodes }
            marker = last
        }
        logger.warning("ListNodes stopped after the page limit; later nodes are not seen",
                       metadata: ["cluster": "\(clusterID)", "pages": "\(Self.maxNodePages)", "nodes": "\(nodes.count)"])
        return nodes
    }

    private func decode<Value>(
        _ call: CCECall, _ response: HTTPResponse, _ read: (Data) throws(JobDecodingError) -> Value
    ) throws(CCEError) -> Value {
        do {
            return try read(response.body)
        } catch {
            throw CCEError(.decoding, operation: call.operation, message: error.description,
                           requestID: response.header("X-Request-Id"))
        }
    }
}
