import Foundation

/// What a `group_wait` group gathers: the matching changes of one watched job for one rule and one
/// receiver. A delivery with a key is a group; the store finds the open group of a key by it.
public struct GroupKey: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The watched (top-level) job.
    public var jobID: String
    public var rule: String
    public var receiver: String

    public init(jobID: String, rule: String, receiver: String) {
        self.jobID = jobID
        self.rule = rule
        self.receiver = receiver
    }

    public init(_ match: Match) {
        self.init(jobID: match.change.rootID, rule: match.rule.name, receiver: match.receiverName)
    }

    public var description: String { "job \(jobID), rule \(rule), receiver \(receiver)" }

    /// The store's `group_key` column: a JSON array `["job","rule","receiver"]`, unambiguous whatever
    /// the names contain and the same text SQLite's `json_array` writes (the v2 migration relies on it).
    package var storageKey: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let data = (try? encoder.encode([jobID, rule, receiver])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    package init?(storageKey: String) {
        guard let parts = try? JSONDecoder().decode([String].self, from: Data(storageKey.utf8)), parts.count == 3 else { return nil }
        self.init(jobID: parts[0], rule: parts[1], receiver: parts[2])
    }
}
