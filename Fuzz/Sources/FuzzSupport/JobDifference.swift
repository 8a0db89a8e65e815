public import CCE
import Foundation

/// The first field where two decoded jobs differ, with its path (`job.subJobs[1].reason`), or nil when
/// they are equal: a differential failure should say where, not print two whole trees. Text is
/// compared by its bytes: `String ==` would call a precomposed `é` equal to `e` + U+0301.
public func jobDifference(_ a: Job, _ b: Job, path: String = "job") -> String? {
    func differ<T: Equatable>(_ name: String, _ x: T, _ y: T) -> String? {
        x == y ? nil : "\(path).\(name): \(String(reflecting: x)) vs \(String(reflecting: y))"
    }
    func differ(_ name: String, _ x: String?, _ y: String?) -> String? {
        x.map { Array($0.utf8) } == y.map { Array($0.utf8) } ? nil : "\(path).\(name): \(String(reflecting: x)) vs \(String(reflecting: y))"
    }
    func bytes(_ params: [String: String]) -> [[UInt8]] {
        params.map { Array($0.key.utf8) + [0] + Array($0.value.utf8) }.sorted { $0.lexicographicallyPrecedes($1) }
    }
    let fields: [String?] = [
        differ("uid", a.uid, b.uid), differ("type", a.type, b.type), differ("phase", a.phase, b.phase),
        differ("reason", a.reason, b.reason), differ("message", a.message, b.message),
        differ("clusterID", a.clusterID, b.clusterID), differ("resourceID", a.resourceID, b.resourceID),
        differ("resourceName", a.resourceName, b.resourceName), differ("ownerJob", a.ownerJob, b.ownerJob),
        bytes(a.extendParam) == bytes(b.extendParam) ? nil
            : "\(path).extendParam: \(String(reflecting: a.extendParam)) vs \(String(reflecting: b.extendParam))",
        differ("createdAt", a.createdAt?.timeIntervalSinceReferenceDate, b.createdAt?.timeIntervalSinceReferenceDate),
        differ("updatedAt", a.updatedAt?.timeIntervalSinceReferenceDate, b.updatedAt?.timeIntervalSinceReferenceDate),
        differ("subJobs.count", a.subJobs.count, b.subJobs.count),
    ]
    if let first = fields.lazy.compactMap({ $0 }).first { return first }
    for (index, (x, y)) in zip(a.subJobs, b.subJobs).enumerated() {
        if let inner = jobDifference(x, y, path: "\(path).subJobs[\(index)]") { return inner }
    }
    return a == b ? nil : "\(path): equal field by field yet not =="
}
