public import Foundation

/// A CCE job or sub-job as ShowJob returns it. Every field is optional on the wire (sub-jobs often
/// omit `resourceName`, `extendParam` and `status.reason`), so every field here is optional or empty.
/// Decoding lives in `Job+Decoding.swift`.
public struct Job: Sendable, Hashable {
    /// `metadata.uid`: the job ID, the key phase tracking uses.
    public var uid: String?
    /// `spec.type`, e.g. `CreateCluster`, `InstallMaster`.
    public var type: String?
    /// `status.phase`: `Initializing`, `Running`, `Success`, `Failed`, or any other string (kept as is).
    public var phase: String?
    public var reason: String?
    public var message: String?
    public var clusterID: String?
    public var resourceID: String?
    public var resourceName: String?
    public var ownerJob: String?
    public var extendParam: [String: String]
    public var createdAt: Date?
    public var updatedAt: Date?
    public var subJobs: [Job]

    public init(
        uid: String? = nil, type: String? = nil, phase: String? = nil, reason: String? = nil,
        message: String? = nil, clusterID: String? = nil, resourceID: String? = nil,
        resourceName: String? = nil, ownerJob: String? = nil, extendParam: [String: String] = [:],
        createdAt: Date? = nil, updatedAt: Date? = nil, subJobs: [Job] = []
    ) {
        self.uid = uid
        self.type = type
        self.phase = phase
        self.reason = reason
        self.message = message
        self.clusterID = clusterID
        self.resourceID = resourceID
        self.resourceName = resourceName
        self.ownerJob = ownerJob
        self.extendParam = extendParam
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.subJobs = subJobs
    }
}

extension Job {
    /// `Success` and `Failed` end a job; any other phase (including unknown ones) does not.
    public static func isTerminal(_ phase: String?) -> Bool {
        phase == "Success" || phase == "Failed"
    }

    /// True once this job and every sub-job below it are terminal: only then may polling stop,
    /// because CCE may report the parent done a moment before a sub-job catches up.
    public var isFinished: Bool {
        Job.isTerminal(phase) && subJobs.allSatisfy(\.isFinished)
    }
}
