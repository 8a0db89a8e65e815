import CCE
public import Foundation

/// What one listing means, by the rules of SPEC § Discovery — pure, so each rule is tested alone.
///
/// - A job the store knows (watched in any state, removed included, or recorded by the baseline)
///   is never reported again by discovery.
/// - The first listing made with a store is the baseline: jobs already terminal whose last update
///   is older than `backfill` are recorded silently (their phases, no event) — every one the
///   listing shows, whatever `types`/`clusters` say, so widening the filters later does not page
///   anyone about old jobs. Everything else is watched.
/// - Afterwards every job seen for the first time that passes `types` and `clusters` is watched,
///   terminal or not (a job that failed while jobhook was down is reported after the restart).
public struct DiscoveryPlan: Sendable, Hashable {
    /// New jobs to watch, in listing order, at most `limit`.
    public var watch: [Sighting] = []
    /// The baseline's silent jobs: phase by uid, by job ID. Empty after the baseline.
    public var silent: [String: [String: String]] = [:]
    /// Entries whose ID is not a job ID (a hostile or garbled listing): left out.
    public var invalid = 0
    /// New jobs beyond `limit`, left for the next listings.
    public var deferred = 0

    /// Jobs one listing starts watching at most: a listing of 50,000 unknown jobs joins over
    /// several intervals instead of in one burst of store writes and first polls.
    public static let defaultLimit = 1_000

    public init(sightings: [Sighting], known: Set<String>, baselineTaken: Bool, settings: DiscoverSettings, now: Date,
                limit: Int = DiscoveryPlan.defaultLimit) {
        var seen: Set<String> = []
        let quietBefore = now.addingTimeInterval(-settings.backfill.seconds)
        for sighting in sightings {
            let id = sighting.jobID
            guard !known.contains(id), seen.insert(id).inserted else { continue }
            guard JobID.problem(id) == nil else { invalid += 1; continue }
            if !baselineTaken, Job.isTerminal(sighting.phase), (sighting.updatedAt ?? .distantPast) < quietBefore {
                let tree = sighting.tree ?? Job(uid: id, type: sighting.type, phase: sighting.phase)
                silent[id] = PhaseTracker.phases(of: tree, rootID: id)
                continue
            }
            guard Self.passes(sighting, settings) else { continue }
            if watch.count < limit { watch.append(sighting) } else { deferred += 1 }
        }
    }

    /// `types` and `clusters`: exact matches; a job whose type the listing does not tell passes
    /// `types` only when it is empty.
    static func passes(_ sighting: Sighting, _ settings: DiscoverSettings) -> Bool {
        if !settings.types.isEmpty, !(sighting.type.map(settings.types.contains) ?? false) { return false }
        if !settings.clusters.isEmpty, !(sighting.clusterID.map(settings.clusters.contains) ?? false) { return false }
        return true
    }
}
