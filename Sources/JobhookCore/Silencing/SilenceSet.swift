import CCE
public import Foundation

/// The active silences, ready to judge events. With a thousand silences an event must not be checked
/// against each one: every silence with an exact `cluster_id` (the usual "planned work on c-1") is
/// filed under that value, so an event looks at the silences of its own cluster plus the few without
/// one. Built once per refresh (`SilenceSource`), then read-only.
public struct SilenceSet: Sendable {
    private struct Entry: Sendable {
        var silence: Silence
        var matcher: Matcher
    }

    private var byCluster: [String: [Entry]] = [:]
    private var others: [Entry] = []
    public private(set) var count = 0

    public static let empty = SilenceSet()

    public init() {}

    /// Silences whose matchers no longer parse (a newer jobhook's key, say) are left out and returned.
    public init(_ silences: [Silence]) {
        for silence in silences {
            guard let matcher = try? SilenceMatchers.matcher(silence.matchers) else { continue }
            let entry = Entry(silence: silence, matcher: matcher)
            if let cluster = silence.matchers.first(where: { $0.key == "cluster_id" && !$0.isRegex }) {
                byCluster[cluster.value, default: []].append(entry)
            } else {
                others.append(entry)
            }
            count += 1
        }
    }

    /// The first silence active at the change's detection that matches it, if any.
    public func silencing(_ change: PhaseChange) -> Silence? {
        guard count > 0 else { return nil }
        let cluster = change.job.clusterID ?? change.parent?.clusterID ?? change.root.clusterID ?? ""
        let at = change.detectedAt
        for entry in (byCluster[cluster] ?? []) + others where entry.silence.isActive(at: at) && entry.matcher.matches(change) {
            return entry.silence
        }
        return nil
    }
}
