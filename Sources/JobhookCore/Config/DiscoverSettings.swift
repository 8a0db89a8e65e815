/// `discover:`: how jobhook finds jobs nobody named (SPEC § Discovery).
public struct DiscoverSettings: Sendable, Hashable {
    /// Which listing finds the jobs.
    public enum Via: String, Sendable, Hashable, CaseIterable {
        /// ListJobs: one request per interval, sees every job, including finished ones.
        case jobs
        /// ListClusters + ListNodes per cluster: the `status.jobID` of clusters and nodes in a working
        /// phase. For credentials that may not list jobs; sees only jobs still running.
        case clusters
        /// `jobs`, switching to `clusters` when ListJobs answers 403 or 404.
        case auto
    }

    /// One listing per interval.
    public var interval: Duration
    public var via: Via
    /// Only jobs of these types (exact); empty: all.
    public var types: Set<String>
    /// Only jobs of these clusters; empty: all.
    public var clusters: Set<String>
    /// At the first listing, finished jobs updated within this span are still reported.
    public var backfill: Duration

    public init(interval: Duration = .seconds(30), via: Via = .auto, types: Set<String> = [], clusters: Set<String> = [],
                backfill: Duration = .zero) {
        self.interval = interval
        self.via = via
        self.types = types
        self.clusters = clusters
        self.backfill = backfill
    }
}
