import Foundation

/// The documentation's ShowJob example: a cluster creation still running, two sub-jobs done.
enum JobFixtures {
    static let documentationExample = #"""
    {"kind":"Job","apiVersion":"v3",
     "metadata":{"uid":"354331b2c-229a-11e8-9c75-0255ac100ceb",
                 "creationTimestamp":"2018-08-02 08:12:40.672772389 +0000 UTC",
                 "updateTimestamp":"2018-08-02 08:21:50.478108569 +0000 UTC"},
     "spec":{"type":"CreateCluster","clusterUID":"4d1ecb2c-229a-11e8-9c75-0255ac100ceb",
             "resourceID":"6f4dcb2c-229a-11e8-9c75-0255ac100ceb","resourceName":"cluster-name",
             "extendParam":{"serverID":"bc467e3a-2338-11e8-825b-0255ac100c13"},
             "subJobs":[
               {"kind":"Job","apiVersion":"v3",
                "metadata":{"uid":"fd474fab-9606-11e8-baa9-0255ac10215d",
                            "creationTimestamp":"2018-08-02 03:52:34.615819618 +0000 UTC",
                            "updateTimestamp":"2018-08-02 04:05:29.196243031 +0000 UTC"},
                "spec":{"type":"InstallMaster","clusterUID":"fcc72de0-9606-11e8-baa8-0255ac10215d",
                        "resourceID":"fd3b4ac0-9606-11e8-baa8-0255ac10215d",
                        "extendParam":{"serverID":"fd3b4ac0-9606-11e8-baa8-0255ac10215d"}},
                "status":{"phase":"Success"}},
               {"kind":"Job","apiVersion":"v3",
                "metadata":{"uid":"fd474f82-9606-11e8-baa8-0255ac10215d",
                            "creationTimestamp":"2018-08-02 03:52:33.859150791 +0000 UTC",
                            "updateTimestamp":"2018-08-02 03:52:34.615655429 +0000 UTC"},
                "spec":{"type":"CreatePSMCert","clusterUID":"fcc72de0-9606-11e8-baa8-0255ac10215d"},
                "status":{"phase":"Success"}}]},
     "status":{"phase":"Running","reason":""}}
    """#

    /// A chain of `depth` jobs, each the only sub-job of the one above.
    static func chain(depth: Int) -> String {
        var json = #"{"metadata":{"uid":"leaf"},"status":{"phase":"Failed","reason":"disk full"}}"#
        for level in (1..<depth).reversed() {
            json = #"{"metadata":{"uid":"level-\#(level)"},"status":{"phase":"Running"},"spec":{"subJobs":[\#(json)]}}"#
        }
        return json
    }
}
