public import Foundation

extension ListedCluster {
    /// Decodes a ListClusters answer (`{"items": [Cluster…]}`, or a bare array), keeping only what finds a
    /// job; every other field of a cluster is skipped unread, and a wrong-typed field reads as nil.
    public static func decodeList(_ data: Data) throws(JobDecodingError) -> [ListedCluster] {
        try JobScanner.decodeList(data) { (scanner: inout JobScanner) throws(JobScanner.Failure) in
            let resource = try scanner.resource()
            return ListedCluster(uid: resource.uid, name: resource.name, phase: resource.phase, jobID: resource.jobID)
        }
    }
}

extension ListedCluster {
    /// Decodes a ShowCluster answer: one cluster object, read like a ListClusters element.
    public static func decode(_ data: Data) throws(JobDecodingError) -> ListedCluster {
        try JobScanner.decodeObject(data) { (scanner: inout JobScanner) throws(JobScanner.Failure) in
            let resource = try scanner.resource()
            return ListedCluster(uid: resource.uid, name: resource.name, phase: resource.phase, jobID: resource.jobID)
        }
    }
}

extension ListedNode {
    /// Decodes one ListNodes page, as `ListedCluster.decodeList` does; `clusterID` is the cluster asked for.
    public static func decodeList(_ data: Data, clusterID: String) throws(JobDecodingError) -> [ListedNode] {
        try JobScanner.decodeList(data) { (scanner: inout JobScanner) throws(JobScanner.Failure) in
            let resource = try scanner.resource()
            return ListedNode(uid: resource.uid, name: resource.name, phase: resource.phase, jobID: resource.jobID,
                              clusterID: clusterID)
        }
    }
}
