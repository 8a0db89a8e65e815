import Foundation

/// ListJobs, ListClusters and ListNodes answers in the shapes the reference describes.
enum ListingFixtures {
    /// A V2Job listing: lower-case names, `status.status`, a sub-job tree, under `items`.
    static let v2Jobs = #"""
    {"kind":"List","apiVersion":"v2","items":[
      {"kind":"Job","apiVersion":"v2",
       "metadata":{"uid":"job-1","creationTimestamp":"2018-08-02 08:12:40.672772389 +0000 UTC",
                   "updateTimestamp":"2018-08-02 08:21:50.478108569 +0000 UTC"},
       "spec":{"type":"CreateCluster","clusteruid":"c-1","resourceid":"r-1","resourcename":"demo",
               "extendparam":{"serverID":"s-1","count":3},
               "subjobs":[{"kind":"Job","apiVersion":"v2","metadata":{"uid":"job-1-master"},
                           "spec":{"type":"InstallMaster","clusteruid":"c-1"},
                           "status":{"status":"Failed","reason":"insufficient quota"}}]},
       "status":{"status":"Running","reason":"","completionTime":""}},
      {"kind":"Job","apiVersion":"v2","metadata":{"uid":"job-2"},"spec":{"type":"CreateNode","clusteruid":"c-1"},
       "status":{"status":"Success"}}
    ]}
    """#

    /// The same two jobs with ShowJob's v3 names, as a bare array.
    static let v3Jobs = #"""
    [
      {"kind":"Job","apiVersion":"v3",
       "metadata":{"uid":"job-1","creationTimestamp":"2018-08-02 08:12:40.672772389 +0000 UTC",
                   "updateTimestamp":"2018-08-02 08:21:50.478108569 +0000 UTC"},
       "spec":{"type":"CreateCluster","clusterUID":"c-1","resourceID":"r-1","resourceName":"demo",
               "extendParam":{"serverID":"s-1","count":"3"},
               "subJobs":[{"metadata":{"uid":"job-1-master"},"spec":{"type":"InstallMaster","clusterUID":"c-1"},
                           "status":{"phase":"Failed","reason":"insufficient quota"}}]},
       "status":{"phase":"Running","reason":""}},
      {"metadata":{"uid":"job-2"},"spec":{"type":"CreateNode","clusterUID":"c-1"},"status":{"phase":"Success"}}
    ]
    """#

    static let clusters = #"""
    {"kind":"Cluster","apiVersion":"v3","items":[
      {"kind":"Cluster","metadata":{"uid":"c-1","name":"prod","labels":{"a":"b"}},
       "spec":{"flavor":"cce.s1.small","hostNetwork":{"vpc":"v"}},"status":{"phase":"Creating","jobID":"job-1"}},
      {"metadata":{"uid":"c-2","name":"old"},"status":{"phase":"Available","jobID":""}},
      {"metadata":{"uid":"c-3","name":"going"},"status":{"phase":"Deleting","jobId":"job-3"}},
      {"metadata":{"uid":"c-4"},"status":{"phase":"Deleting","jobid":"job-4"}}
    ]}
    """#

    /// One ListNodes answer holding nodes `first..<first+count`, uids `node-00042` (sorted as numbers).
    static func nodePage(_ range: Range<Int>) -> String {
        let items = range.map { n in
            #"{"kind":"Node","apiVersion":"v3","metadata":{"uid":"\#(nodeID(n))","name":"n\#(n)"},"spec":{"flavor":"s3.large.2"},"status":{"phase":"Active","privateIP":"10.0.0.\#(n % 250)"}}"#
        }
        return #"{"kind":"List","apiVersion":"v3","items":["# + items.joined(separator: ",") + "]}"
    }

    static func nodeID(_ n: Int) -> String {
        let digits = String(n)
        return "node-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    /// A ListJobs answer of `count` top-level V2Jobs, about 450 bytes each.
    static func manyV2Jobs(_ count: Int, reason: String = "") -> Data {
        var out = Data(#"{"kind":"List","apiVersion":"v2","items":["#.utf8)
        out.reserveCapacity(count * 480)
        for n in 0..<count {
            if n > 0 { out.append(UInt8(ascii: ",")) }
            let uid = String(format: "%08x-229a-11e8-9c75-0255ac10%04x", n, n % 0x10000)
            out.append(contentsOf: #"{"kind":"Job","apiVersion":"v2","metadata":{"uid":"\#(uid)","creationTimestamp":"2024-05-02 08:12:40.672772389 +0000 UTC","updateTimestamp":"2024-05-02 08:21:50.478108569 +0000 UTC"},"spec":{"type":"CreateNode","clusteruid":"4d1ecb2c-229a-11e8-9c75-0255ac100ceb","resourceid":"6f4dcb2c-229a-11e8-9c75-0255ac100ceb","resourcename":"node-\#(n)","extendparam":{"serverID":"bc467e3a-2338-11e8-825b-0255ac100c13"},"subjobs":[]},"status":{"status":"Success","reason":"\#(reason)"}}"#.utf8)
        }
        out.append(contentsOf: "]}".utf8)
        return out
    }
}
