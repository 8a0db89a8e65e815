import CCE
public import Foundation

/// A Cloud Trace Service trace as a notification's `message` carries it: one recorded API call.
/// Only what finds a CCE job is kept. CTS's exact body for HTTP subscribers is not documented, so the
/// reader is tolerant: the trace itself, or wrapped under `trace`, or a list of them; `request` and
/// `response` as JSON text (as the SDK documents) or as objects.
public struct CTSTrace: Sendable, Hashable {
    public var traceName: String?
    public var serviceType: String?
    public var resourceType: String?
    public var resourceID: String?
    /// The API call's HTTP status (a string in CTS); nil when not told.
    public var code: String?
    /// The job ID the API call's answer names, if any.
    public var responseJobID: String?

    /// The traces in a notification's `message`; nil when it holds none (not JSON, not a trace).
    public static func traces(in message: String) -> [CTSTrace]? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(message.utf8), options: []) else { return nil }
        let candidates: [Any] = (object as? [Any]) ?? [object]
        let traces = candidates.compactMap { candidate -> CTSTrace? in
            guard var fields = candidate as? [String: Any] else { return nil }
            if fields["service_type"] == nil, let inner = fields["trace"] as? [String: Any] { fields = inner }
            return CTSTrace(fields)
        }
        return traces.isEmpty ? nil : traces
    }

    init?(_ fields: [String: Any]) {
        func text(_ key: String) -> String? {
            if let string = fields[key] as? String { return string.isEmpty ? nil : string }
            if let number = fields[key] as? NSNumber, !(fields[key] is Bool) { return number.stringValue }
            return nil
        }
        traceName = text("trace_name")
        serviceType = text("service_type")
        resourceType = text("resource_type")
        resourceID = text("resource_id")
        code = text("code")
        guard traceName != nil || serviceType != nil else { return nil }
        responseJobID = Self.jobID(inResponse: fields["response"])
    }

    public init(traceName: String? = nil, serviceType: String? = "CCE", resourceType: String? = nil, resourceID: String? = nil,
                code: String? = nil, responseJobID: String? = nil) {
        self.traceName = traceName
        self.serviceType = serviceType
        self.resourceType = resourceType
        self.resourceID = resourceID
        self.code = code
        self.responseJobID = responseJobID
    }

    /// `status.jobID`, `jobID`, `jobid` or `status.jobId` of the answer (JSON text or an object).
    static func jobID(inResponse response: Any?) -> String? {
        var answer = response
        if let text = response as? String {
            guard !text.isEmpty, let parsed = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: []) else { return nil }
            answer = parsed
        }
        guard let object = answer as? [String: Any] else { return nil }
        let status = object["status"] as? [String: Any]
        let candidates = [status?["jobID"], object["jobID"], object["jobid"], status?["jobId"]]
        return candidates.lazy.compactMap { $0 as? String }.first { !$0.isEmpty }
    }

    /// True for a trace of CCE (`service_type` CCE, any case).
    public var isCCE: Bool { serviceType?.uppercased() == "CCE" }

    /// False when the call was answered with an error (`code` 4xx or 5xx): it started no job.
    public var callSucceeded: Bool {
        guard let code, let status = Int(code) else { return true }
        return (200..<300).contains(status)
    }

    /// Trace names on clusters (reference/discovery-and-push.md).
    static let clusterTraces: Set<String> = [
        "createCluster", "deleteCluster", "claimCluster", "updateCluster", "clusterUpgrade", "resizeCluster",
        "hibernateCluster", "awakeCluster",
    ]

    /// The cluster the trace is about, when it is a cluster trace: ShowCluster then finds its job.
    public var clusterID: String? {
        guard resourceType?.lowercased() == "cluster" || traceName.map(Self.clusterTraces.contains) == true else { return nil }
        return resourceID
    }

    /// The CCE job type a trace name starts, where it is certain (for `discover.types`).
    static let jobTypes: [String: String] = [
        "createCluster": "CreateCluster", "deleteCluster": "DeleteCluster", "createNode": "CreateNode",
        "deleteOneHost": "DeleteNode", "deleteAllHosts": "DeleteNode",
    ]

    public var jobType: String? { traceName.flatMap { Self.jobTypes[$0] } }
}
