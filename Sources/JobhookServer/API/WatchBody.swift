import CCE
import Foundation
import JobhookCore

/// A watch as `GET /v1/watches` shows it:
/// `{job_id, state, source, added_at, updated_at?, tree?: {id, type, phase, reason?, resource_name?, subjobs: […]}}`.
struct WatchBody: Encodable {
    struct Node: Encodable {
        var id: String?
        var type: String?
        var phase: String?
        var reason: String?
        var resourceName: String?
        var subjobs: [Node]

        enum CodingKeys: String, CodingKey {
            case id, type, phase, reason, subjobs
            case resourceName = "resource_name"
        }

        init(_ job: Job) {
            id = job.uid
            type = job.type
            phase = job.phase
            reason = job.reason
            resourceName = job.resourceName
            subjobs = job.subJobs.map(Node.init)
        }
    }

    var jobID: String
    var state: String
    var source: String
    var cce: String
    var addedAt: Date
    var updatedAt: Date?
    var tree: Node?

    enum CodingKeys: String, CodingKey {
        case jobID = "job_id"
        case state, source, tree, cce
        case addedAt = "added_at"
        case updatedAt = "updated_at"
    }

    init(_ watch: Watch) {
        jobID = watch.jobID
        state = watch.state.rawValue
        source = watch.source
        cce = watch.account
        addedAt = watch.addedAt
        updatedAt = watch.updatedAt
        tree = watch.tree.map(Node.init)
    }
}

/// `{"watches": […]}`: an object, so fields can be added later without breaking clients.
struct WatchListBody: Encodable {
    var watches: [WatchBody]
}
