import CCE
import Foundation

/// A job in the V2Job shape ListJobs serves: ShowJob's fields under CCE's older lower-case names
/// (`clusteruid`, `resourceid`, `resourcename`, `extendparam`, `subjobs`) and `status.status` for the
/// phase, so the client's V2Job decoder meets what CCE sends rather than ShowJob's shape again.
struct V2JobDocument: Encodable {
    var job: Job

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: any Encoder) throws {
        var root = encoder.container(keyedBy: Key.self)
        try root.encode("Job", forKey: Key("kind"))
        try root.encode("v2", forKey: Key("apiVersion"))

        var metadata = root.nestedContainer(keyedBy: Key.self, forKey: Key("metadata"))
        try metadata.encodeIfPresent(job.uid, forKey: Key("uid"))
        try metadata.encodeIfPresent(job.createdAt.map(GoTimestamp.format), forKey: Key("creationTimestamp"))
        try metadata.encodeIfPresent(job.updatedAt.map(GoTimestamp.format), forKey: Key("updateTimestamp"))

        var spec = root.nestedContainer(keyedBy: Key.self, forKey: Key("spec"))
        try spec.encodeIfPresent(job.type, forKey: Key("type"))
        try spec.encodeIfPresent(job.clusterID, forKey: Key("clusteruid"))
        try spec.encodeIfPresent(job.resourceID, forKey: Key("resourceid"))
        try spec.encodeIfPresent(job.resourceName, forKey: Key("resourcename"))
        if !job.extendParam.isEmpty { try spec.encode(job.extendParam, forKey: Key("extendparam")) }
        try spec.encode(job.subJobs.map(V2JobDocument.init), forKey: Key("subjobs"))

        var status = root.nestedContainer(keyedBy: Key.self, forKey: Key("status"))
        try status.encodeIfPresent(job.phase, forKey: Key("status"))
        try status.encodeIfPresent(job.reason, forKey: Key("reason"))
        if Job.isTerminal(job.phase), let updatedAt = job.updatedAt {
            try status.encode(GoTimestamp.format(updatedAt), forKey: Key("completionTime"))
        }
    }

    static func encode(_ job: Job) -> Data {
        (try? JSONEncoder().encode(V2JobDocument(job: job))) ?? Data("{}".utf8)
    }
}
