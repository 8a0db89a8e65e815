import CCE
public import Foundation

/// A realistic event for `jobhook check` and `send-test`: a CreateCluster job that failed on a
/// quota error, with one sub-job succeeded and one failed, seen going Running -> Failed.
public enum SampleEvent {
    public static func change(detectedAt: Date = Date(timeIntervalSince1970: 1_700_000_432)) -> PhaseChange {
        let created = Date(timeIntervalSince1970: 1_700_000_000)
        let updated = Date(timeIntervalSince1970: 1_700_000_432)
        let master = Job(
            uid: "6a0d1c2e-0000-4000-8000-000000000001", type: "InstallMaster", phase: "Success",
            clusterID: "c7d1e2f3-aaaa-bbbb-cccc-000000000001", resourceName: "demo-cluster",
            ownerJob: "6a0d1c2e-0000-4000-8000-000000000000", createdAt: created, updatedAt: created.addingTimeInterval(180)
        )
        let nodes = Job(
            uid: "6a0d1c2e-0000-4000-8000-000000000002", type: "CreateNode", phase: "Failed",
            reason: "Quota exceeded: insufficient \"ecs\" quota <b>&'", message: "create node pool failed",
            clusterID: "c7d1e2f3-aaaa-bbbb-cccc-000000000001", resourceName: "demo-nodepool",
            ownerJob: "6a0d1c2e-0000-4000-8000-000000000000", createdAt: created.addingTimeInterval(180), updatedAt: updated
        )
        let root = Job(
            uid: "6a0d1c2e-0000-4000-8000-000000000000", type: "CreateCluster", phase: "Failed",
            reason: "Quota exceeded: insufficient \"ecs\" quota <b>&'", message: "cluster creation failed",
            clusterID: "c7d1e2f3-aaaa-bbbb-cccc-000000000001", resourceID: "c7d1e2f3-aaaa-bbbb-cccc-000000000001",
            resourceName: "demo-cluster", extendParam: ["ClusterFlavor": "cce.s1.small"],
            createdAt: created, updatedAt: updated, subJobs: [master, nodes]
        )
        return PhaseChange(
            rootID: root.uid ?? "", uid: root.uid ?? "", level: .job, from: "Running", to: "Failed",
            job: root, parent: nil, root: root, detectedAt: detectedAt
        )
    }
}
