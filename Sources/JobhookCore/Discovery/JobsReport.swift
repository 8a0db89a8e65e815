public import CCE
public import Foundation

/// `jobhook jobs`: the project's jobs as ListJobs gives them, newest first, each with the state of
/// its watch when jobhook has one. Pure, so the filters and the order are tested without a server.
public struct JobsReport: Sendable {
    public struct Row: Sendable, Hashable, Encodable {
        public var id: String
        public var type: String?
        public var phase: String?
        public var clusterID: String?
        public var resourceID: String?
        public var resourceName: String?
        public var createdAt: Date?
        public var updatedAt: Date?
        /// The watch's state (`watching`, `finished`, `removed`…); nil when jobhook does not watch it.
        public var watch: String?
        /// The CCE account whose listing showed it.
        public var account: String

        enum CodingKeys: String, CodingKey {
            case id, type, phase, watch
            case account = "cce"
            case clusterID = "cluster_id", resourceID = "resource_id", resourceName = "resource_name"
            case createdAt = "created_at", updatedAt = "updated_at"
        }
    }

    /// Which jobs to show.
    public struct Filter: Sendable, Hashable {
        public var cluster: String?
        public var type: String?
        /// Only jobs not yet terminal.
        public var running = false

        public init(cluster: String? = nil, type: String? = nil, running: Bool = false) {
            self.cluster = cluster
            self.type = type
            self.running = running
        }
    }

    public var rows: [Row]
    /// Several accounts were listed: the table gets an account column.
    public var showsAccount: Bool

    /// One account's listing.
    public init(jobs: [Job], watches: [String: Watch.State], filter: Filter = Filter(), account: String = CCEAccount.defaultName) {
        self.init(listings: [(account, jobs)], watches: watches, filter: filter)
    }

    /// Newest first by `creationTimestamp` (jobs without one last), ties by ID, over every account's listing.
    public init(listings: [(account: String, jobs: [Job])], watches: [String: Watch.State], filter: Filter = Filter()) {
        showsAccount = listings.count > 1
        rows = listings.flatMap { listing in listing.jobs.compactMap { job -> Row? in
            guard let id = job.uid, !id.isEmpty else { return nil }
            if let cluster = filter.cluster, job.clusterID != cluster { return nil }
            if let type = filter.type, job.type != type { return nil }
            if filter.running, Job.isTerminal(job.phase) { return nil }
            return Row(id: id, type: job.type, phase: job.phase, clusterID: job.clusterID, resourceID: job.resourceID,
                       resourceName: job.resourceName, createdAt: job.createdAt, updatedAt: job.updatedAt, watch: watches[id]?.rawValue,
                       account: listing.account)
        } }
        rows.sort { a, b in
            switch (a.createdAt, b.createdAt) {
            case let (x?, y?) where x != y: x > y
            case (.some, nil): true
            case (nil, .some): false
            default: a.id < b.id
            }
        }
    }

    /// The table's cells: ID, TYPE, PHASE, CLUSTER, RESOURCE, AGE, WATCH (and CCE first, with several accounts).
    public func cells(now: Date) -> [[String]] {
        rows.map { row in
            let cells = [row.id, row.type ?? "", row.phase ?? "", row.clusterID ?? "", row.resourceName ?? row.resourceID ?? "",
                         row.createdAt.map { Self.age(now.timeIntervalSince($0)) } ?? "", row.watch ?? ""]
            return showsAccount ? [row.account] + cells : cells
        }
    }

    public var header: [String] { (showsAccount ? ["CCE"] : []) + Self.columns }
    /// The widest each column may be (cut with `…` beyond).
    public var maxWidths: [Int] { (showsAccount ? [16] : []) + [36, 24, 12, 36, 32, 5, 9] }

    static let columns = ["ID", "TYPE", "PHASE", "CLUSTER", "RESOURCE", "AGE", "WATCH"]

    /// `45s`, `12m`, `5h`, `3d`: the largest unit that fits, like kubectl.
    public static func age(_ seconds: TimeInterval) -> String {
        let s = max(0, Int(seconds))
        if s < 120 { return "\(s)s" }
        if s < 7200 { return "\(s / 60)m" }
        if s < 172_800 { return "\(s / 3600)h" }
        return "\(s / 86_400)d"
    }
}
