public import Foundation

/// Writes the CCE wire shape ShowJob returns (`kind`, `apiVersion`, `metadata`, `spec`, `status`), so the
/// simulator serves what CCE serves and `jobhook test --job file.json` round-trips. Timestamps use Go's
/// format in UTC; absent fields are omitted rather than written as null.
extension Job: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var root = encoder.container(keyedBy: WireKey.self)
        try root.encode("Job", forKey: WireKey("kind"))
        try root.encode("v3", forKey: WireKey("apiVersion"))

        var metadata = root.nestedContainer(keyedBy: WireKey.self, forKey: WireKey("metadata"))
        try metadata.encodeIfPresent(uid, forKey: WireKey("uid"))
        try metadata.encodeIfPresent(createdAt.map(GoTimestamp.format), forKey: WireKey("creationTimestamp"))
        try metadata.encodeIfPresent(updatedAt.map(GoTimestamp.format), forKey: WireKey("updateTimestamp"))

        var spec = root.nestedContainer(keyedBy: WireKey.self, forKey: WireKey("spec"))
        try spec.encodeIfPresent(type, forKey: WireKey("type"))
        try spec.encodeIfPresent(clusterID, forKey: WireKey("clusterUID"))
        try spec.encodeIfPresent(resourceID, forKey: WireKey("resourceID"))
        try spec.encodeIfPresent(resourceName, forKey: WireKey("resourceName"))
        try spec.encodeIfPresent(ownerJob, forKey: WireKey("ownerJob"))
        if !extendParam.isEmpty { try spec.encode(extendParam, forKey: WireKey("extendParam")) }
        if !subJobs.isEmpty { try spec.encode(subJobs, forKey: WireKey("subJobs")) }

        var status = root.nestedContainer(keyedBy: WireKey.self, forKey: WireKey("status"))
        try status.encodeIfPresent(phase, forKey: WireKey("phase"))
        try status.encodeIfPresent(reason, forKey: WireKey("reason"))
        try status.encodeIfPresent(message, forKey: WireKey("message"))
    }

    /// The wire JSON of this job, keys sorted so output is stable for files and tests.
    public func encodedJSON(pretty: Bool = false) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            : [.sortedKeys, .withoutEscapingSlashes]
        // Encoding strings, dictionaries and arrays of them cannot fail.
        return (try? encoder.encode(self)) ?? Data("{}".utf8)
    }
}
