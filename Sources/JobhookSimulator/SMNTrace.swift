import Foundation

/// The CTS trace CCE records for the API call that started a job, as CTS publishes it to an SMN topic
/// (fields from the SDK's `traces.py`; reference: "CTS traces delivered through SMN"). `request` and
/// `response` are strings holding JSON, as CTS sends them.
struct SMNTrace: Encodable {
    struct User: Encodable {
        struct Domain: Encodable { var id = "sim-domain-id"; var name = "sim-domain" }
        var id = "sim-user-id"
        var name = "sim-user"
        var domain = Domain()
    }

    var traceID: String
    var traceName: String
    var traceRating = "normal"
    var traceType = "ApiCall"
    var serviceType = "CCE"
    var resourceType: String
    var resourceID: String
    var resourceName: String
    var code: String
    var request: String
    var response: String
    /// ms since the epoch: when the call was made, and when CTS recorded it.
    var time: Int64
    var recordTime: Int64
    var user = User()
    var sourceIP = "127.0.0.1"
    var requestID: String
    var apiVersion = "v3"

    enum CodingKeys: String, CodingKey {
        case code, request, response, time, user
        case traceID = "trace_id", traceName = "trace_name", traceRating = "trace_rating", traceType = "trace_type"
        case serviceType = "service_type", resourceType = "resource_type", resourceID = "resource_id"
        case resourceName = "resource_name", recordTime = "record_time", sourceIP = "source_ip"
        case requestID = "request_id", apiVersion = "api_version"
    }

    /// The trace of the call that started `job`: `createCluster`, `deleteCluster`, `createNode` or
    /// `deleteOneHost` by type; any other type as `updateCluster` on its cluster. With `.empty`, the
    /// trace's response is `""`, so only ShowCluster on `resource_id` leads to the job.
    init(of job: Scenario.ScriptedJob, response mode: Scenario.SMN.ResponseMode, calledAt: Date, recordedAt: Date) {
        let action = Action(type: job.type)
        let uid = action.onNode ? job.nodeID : (job.clusterID ?? job.shownResourceID ?? job.id)
        let name = job.resourceName ?? uid
        traceID = UUID().uuidString.lowercased()
        traceName = action.traceName
        resourceType = action.onNode ? "node" : "cluster"
        resourceID = uid
        resourceName = name
        code = action.creates ? "201" : "200"
        request = action.creates ? Self.json(Request(kind: action.kind, metadata: .init(name: name))) : ""
        response = switch mode {
        case .jobID: Self.json(Response(kind: action.kind, metadata: .init(uid: uid, name: name),
                                        status: .init(phase: action.phase, jobID: job.id)))
        case .empty: ""
        }
        time = Self.milliseconds(calledAt)
        recordTime = Self.milliseconds(recordedAt)
        requestID = CCESimulator.requestID()
    }

    /// The trace as `message` carries it: JSON text.
    var json: String { Self.json(self) }

    private struct Action {
        var traceName: String
        var onNode: Bool
        var creates: Bool
        var phase: String

        init(type: String) {
            switch type {
            case "CreateCluster": (traceName, onNode, creates, phase) = ("createCluster", false, true, "Creating")
            case "DeleteCluster": (traceName, onNode, creates, phase) = ("deleteCluster", false, false, "Deleting")
            case "CreateNode": (traceName, onNode, creates, phase) = ("createNode", true, true, "Installing")
            case "DeleteNode": (traceName, onNode, creates, phase) = ("deleteOneHost", true, false, "Deleting")
            default: (traceName, onNode, creates, phase) = ("updateCluster", false, false, "Available")
            }
        }

        var kind: String { onNode ? "Node" : "Cluster" }
    }

    private struct Request: Encodable {
        struct Metadata: Encodable { var name: String }
        var kind: String
        var apiVersion = "v3"
        var metadata: Metadata
    }

    /// The API's answer, like a ListClusters/ListNodes item: `status.jobID` names the job.
    private struct Response: Encodable {
        struct Metadata: Encodable { var uid: String; var name: String }
        struct Status: Encodable { var phase: String; var jobID: String }
        var kind: String
        var apiVersion = "v3"
        var metadata: Metadata
        var status: Status
    }

    private static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(value)) ?? Data("{}".utf8), as: UTF8.self)
    }

    private static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }
}
