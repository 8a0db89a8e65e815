import CCE
import CurlHTTP
import Foundation
import JobhookCore

/// A fresh directory under the system temp dir, removed by `cleanUp()`.
struct StoreDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("jobhook-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    var storePath: String { url.appendingPathComponent("state.sqlite").path }

    func cleanUp() { try? FileManager.default.removeItem(at: url) }
}

enum StoreSamples {
    static let t0 = Date(timeIntervalSince1970: 1_700_000_000)

    static func delivery(_ id: String, job: String = "job-1", at: Date = t0, next: Date? = nil) -> Delivery {
        Delivery(
            id: id, receiver: "ops-chat", rule: "cluster-failed", jobID: job, uid: "\(job)-sub",
            transition: "Running → Failed",
            request: RenderedRequest(
                url: "https://hooks.example.com/secret-token",
                headers: [HTTPHeader("X-Source", "jobhook")],
                body: Data(#"{"text":"failed"}"#.utf8)
            ),
            createdAt: at, nextAttemptAt: next
        )
    }

    static func tree(_ job: String = "job-1", phase: String = "Running", subPhase: String = "Failed") -> Job {
        Job(uid: job, type: "CreateCluster", phase: phase, reason: "quota",
            subJobs: [Job(uid: "\(job)-sub", type: "InstallMaster", phase: subPhase)])
    }

    static func poll(_ job: String = "job-1", deliveries: [Delivery], state: Watch.State? = nil) -> PollRecord {
        PollRecord(jobID: job, tree: tree(job), phases: [job: "Running", "\(job)-sub": "Failed"],
                   deliveries: deliveries, watchState: state)
    }
}
