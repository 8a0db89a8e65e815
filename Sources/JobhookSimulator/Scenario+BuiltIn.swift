extension Scenario {
    /// What `jobhook simulate` and `jobhook demo` play without a file: a cluster creation that succeeds,
    /// one that fails in a sub-job with a quota reason, and a node creation that starts three seconds
    /// in (so the demo's discovery finds it by listing), over about ten seconds.
    public static var builtIn: Scenario {
        Scenario(jobs: [
            ScriptedJob(id: "job-create-ok", type: "CreateCluster", resourceName: "demo-ok", clusterID: "cluster-ok", timeline: [
                Step(after: .zero, phase: "Initializing"),
                Step(after: .seconds(1), phase: "Running", subjobs: [
                    SubJob(id: "job-create-ok-cert", type: "CreatePSMCert", phase: "Running"),
                    SubJob(id: "job-create-ok-master", type: "InstallMaster", phase: "Initializing"),
                ]),
                Step(after: .seconds(3), phase: "Running", subjobs: [
                    SubJob(id: "job-create-ok-cert", type: "CreatePSMCert", phase: "Success"),
                    SubJob(id: "job-create-ok-master", type: "InstallMaster", phase: "Running"),
                ]),
                Step(after: .seconds(6), phase: "Success", subjobs: [
                    SubJob(id: "job-create-ok-cert", type: "CreatePSMCert", phase: "Success"),
                    SubJob(id: "job-create-ok-master", type: "InstallMaster", phase: "Success"),
                ]),
            ]),
            ScriptedJob(id: "job-create-quota", type: "CreateCluster", resourceName: "demo-quota", clusterID: "cluster-quota", timeline: [
                Step(after: .zero, phase: "Running", subjobs: [
                    SubJob(id: "job-create-quota-cert", type: "CreatePSMCert", phase: "Running"),
                    SubJob(id: "job-create-quota-master", type: "InstallMaster", phase: "Initializing"),
                ]),
                Step(after: .seconds(2), phase: "Running", subjobs: [
                    SubJob(id: "job-create-quota-cert", type: "CreatePSMCert", phase: "Success"),
                    SubJob(id: "job-create-quota-master", type: "InstallMaster", phase: "Running"),
                ]),
                Step(after: .seconds(5), phase: "Failed", reason: "install master failed", subjobs: [
                    SubJob(id: "job-create-quota-cert", type: "CreatePSMCert", phase: "Success"),
                    SubJob(id: "job-create-quota-master", type: "InstallMaster", phase: "Failed",
                           reason: "insufficient quota: ecs instances"),
                ]),
            ]),
            ScriptedJob(id: "job-create-node", type: "CreateNode", resourceName: "demo-node-1", clusterID: "cluster-ok", timeline: [
                Step(after: .seconds(3), phase: "Initializing"),
                Step(after: .seconds(5), phase: "Running", subjobs: [
                    SubJob(id: "job-create-node-install", type: "InstallNode", phase: "Running"),
                ]),
                Step(after: .seconds(10), phase: "Success", subjobs: [
                    SubJob(id: "job-create-node-install", type: "InstallNode", phase: "Success"),
                ]),
            ]),
        ])
    }
}
