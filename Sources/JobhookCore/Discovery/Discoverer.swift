public import CCE
import CurlHTTP
public import Foundation
public import Logging
public import ServiceLifecycle

/// Finds jobs nobody named: lists the account's jobs (or clusters and nodes) every
/// `discover.interval` and hands each new one to the watch list with source `discovery`. The
/// listing only finds jobs; the poller's ShowJob then gives the tree, as for any watch.
///
/// Listings go through the poller's admission (`Poller.admitted`), so they share `max_rps` and the
/// credential gate with polls. A failed listing never touches the jobs already watched. Reads
/// `discover:` afresh each round, so a reload turns discovery on, off or changes it.
public struct Discoverer: Service {
    public let account: String
    let lister: any JobListing
    let poller: Poller
    let watches: WatchList
    let store: any DeliveryStore
    let config: ConfigSource
    let logger: Logger
    let now: @Sendable () -> Date
    let random: @Sendable () -> Double

    public init(account: String, lister: any JobListing, poller: Poller, watches: WatchList, store: any DeliveryStore,
                config: ConfigSource, logger: Logger, now: @escaping @Sendable () -> Date = Date.init,
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.account = account
        self.lister = lister
        self.poller = poller
        self.watches = watches
        self.store = store
        self.config = config
        self.logger = logger
        self.now = now
        self.random = random
    }

    /// How long to look again when `discover:` is absent (a reload may add it).
    static let idleCheck: Duration = .seconds(5)

    public func run() async throws {
        var progress = DiscoveryProgress()
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            let wait: Duration
            if !poller.gate.mayWork {
                // A standby lists nothing; what it read of the store is stale once it works again.
                progress = DiscoveryProgress()
                wait = .milliseconds(250)
            } else if let settings = config.current.discover(for: account) {
                wait = await round(settings, &progress)
            } else {
                wait = Self.idleCheck
            }
            _ = try? await cancelWhenGracefulShutdown { try await Task.sleep(for: wait) }
        }
    }

    /// One listing and what follows from it. Returns the wait before the next.
    func round(_ settings: DiscoverSettings, _ progress: inout DiscoveryProgress) async -> Duration {
        // A reload gives ListJobs another chance (the user may have granted cce:job:list).
        let generation = config.generation
        if progress.generation != generation {
            progress.generation = generation
            progress.stopped = false
            progress.jobsRefused = false
        }
        guard !progress.stopped else { return settings.interval }
        if progress.known == nil {
            do throws(StoreError) {
                progress.known = try await store.knownJobIDs()
                progress.baselineTaken = try await store.discoveryBaseline(account: account) != nil
            } catch {
                logger.error("discovery cannot read the state store; trying again", metadata: ["error": "\(error)"])
                return failed(settings, &progress)
            }
        }
        let via: DiscoverSettings.Via = settings.via == .clusters || (settings.via == .auto && progress.jobsRefused) ? .clusters : .jobs
        let listing = via == .jobs ? await listJobs(settings, &progress) : await listClusters(settings, failures: progress.failures)
        switch listing {
        case .found(let sightings, let via):
            progress.failures = 0
            await take(sightings, via: via, settings: settings, &progress)
            return settings.interval
        case .switchToClusters:
            return await round(settings, &progress)
        case .stopped:
            progress.stopped = true
            return settings.interval
        case .failed(let error):
            if error.isThrottled, let retryAfter = error.retryAfter { return max(settings.interval, retryAfter) }
            if error.isTransient { return failed(settings, &progress) }
            return settings.interval
        }
    }

    /// Backs off after a fault: from one interval, doubling, at most five minutes (or the interval).
    private func failed(_ settings: DiscoverSettings, _ progress: inout DiscoveryProgress) -> Duration {
        progress.failures += 1
        let backoff = Backoff(initial: settings.interval, maximum: max(settings.interval, .seconds(300)))
        return backoff.wait(beforeRetry: progress.failures, random: random)
    }

    /// What one listing attempt produced.
    enum Listing {
        case found([Sighting], via: DiscoverSettings.Via)
        /// ListJobs is not permitted under `via: auto`: list clusters from now on.
        case switchToClusters
        /// ListJobs is not permitted under `via: jobs`: no listing until the next reload.
        case stopped
        case failed(CCEError)
    }

    private func listJobs(_ settings: DiscoverSettings, _ progress: inout DiscoveryProgress) async -> Listing {
        let lister = lister
        switch await list({ () async throws(CCEError) in try await lister.listJobs() }) {
        case .success(let jobs):
            JobhookMetrics.discoveryListing(via: "jobs", outcome: "ok")
            return .found(jobs.compactMap(Sighting.init(listed:)), via: .jobs)
        case .failure(let error) where error.status == 403 || error.isNotFound:
            JobhookMetrics.discoveryListing(via: "jobs", outcome: "forbidden")
            if settings.via == .auto {
                progress.jobsRefused = true
                logger.notice("ListJobs is not available to these credentials; listing clusters and nodes instead (grant cce:job:list to list jobs)",
                              metadata: ["account": "\(account)", "error": "\(error)"])
                return .switchToClusters
            }
            logger.error("ListJobs is not permitted (grant cce:job:list, or set discover.via: clusters); discovery stops until the next reload",
                         metadata: ["account": "\(account)", "error": "\(error)"])
            return .stopped
        case .failure(let error) where error.kind == .transport(.bodyTooLarge) && settings.via == .auto:
            // The project's job history outgrew what one answer may hold (`CCEClient.maxListingBytes`);
            // clusters and nodes are listed in pages, so they always fit.
            JobhookMetrics.discoveryListing(via: "jobs", outcome: "too_large")
            progress.jobsRefused = true
            logger.notice("the ListJobs answer is too large; listing clusters and nodes instead", metadata: [
                "account": "\(account)", "error": "\(error)",
            ])
            return .switchToClusters
        case .failure(let error):
            return failure(error, via: "jobs", progress.failures)
        }
    }

    private func listClusters(_ settings: DiscoverSettings, failures: Int) async -> Listing {
        let lister = lister
        var clusters: [ListedCluster]
        switch await list({ () async throws(CCEError) in try await lister.listClusters() }) {
        case .success(let listed):
            clusters = listed
        case .failure(let error):
            return failure(error, via: "clusters", failures)
        }
        if !settings.clusters.isEmpty { clusters = clusters.filter { $0.uid.map(settings.clusters.contains) ?? false } }
        var nodes: [ListedNode] = []
        for clusterID in clusters.compactMap(\.uid) where JobID.problem(clusterID) == nil {
            switch await list({ () async throws(CCEError) in try await lister.listNodes(clusterID: clusterID) }) {
            case .success(let listed):
                nodes += listed
            case .failure(let error):
                // One cluster's nodes failing leaves the others' (and the clusters' own) jobs found.
                logger.warning("cannot list a cluster's nodes", metadata: ["account": "\(account)", "cluster_id": "\(clusterID)", "error": "\(error)"])
                if error.isAuthFailure || error.isThrottled || error.kind == .transport(.cancelled) {
                    return failure(error, via: "clusters", failures)
                }
            }
        }
        JobhookMetrics.discoveryListing(via: "clusters", outcome: "ok")
        return .found(ClusterSightings.sightings(clusters: clusters, nodes: nodes), via: .clusters)
    }

    /// One listing request through the poller's admission, given up on graceful shutdown (it may
    /// be waiting out a credential cool-down of minutes).
    private func list<Answer: Sendable>(_ request: @escaping @Sendable () async throws(CCEError) -> Answer) async -> Result<Answer, CCEError> {
        let poller = poller
        // On shutdown the admission wait is cancelled and answers `.transport(.cancelled)`.
        return await cancelWhenGracefulShutdown { await poller.admitted(request) }
    }

    private func failure(_ error: CCEError, via: String, _ failures: Int) -> Listing {
        let outcome = error.isAuthFailure ? "auth" : error.isThrottled ? "throttled" : "error"
        guard error.kind != .transport(.cancelled) else { return .failed(error) }
        JobhookMetrics.discoveryListing(via: via, outcome: outcome)
        let metadata: Logger.Metadata = ["account": "\(account)", "via": "\(via)", "error": "\(error)"]
        if failures == 0 {
            logger.warning("listing failed; the jobs already watched are still polled", metadata: metadata)
        } else {
            logger.debug("listing failed again", metadata: metadata)
        }
        return .failed(error)
    }

    /// Applies the plan: the baseline (once), then every new job joins the watch list.
    private func take(_ sightings: [Sighting], via: DiscoverSettings.Via, settings: DiscoverSettings,
                      _ progress: inout DiscoveryProgress) async {
        let known = progress.known ?? []
        let plan = DiscoveryPlan(sightings: sightings, known: known, baselineTaken: progress.baselineTaken, settings: settings, now: now())
        if plan.invalid > 0 {
            logger.warning("the listing held entries that are not job IDs; left out", metadata: ["account": "\(account)", "entries": "\(plan.invalid)"])
        }
        if !progress.baselineTaken {
            do throws(StoreError) {
                try await store.recordBaseline(account: account, silent: plan.silent, at: now())
            } catch {
                logger.error("cannot record the discovery baseline; trying again at the next listing", metadata: ["error": "\(error)"])
                return
            }
            await poller.learn(plan.silent.values.reduce(into: [:]) { all, phases in all.merge(phases) { a, _ in a } })
            progress.known?.formUnion(plan.silent.keys)
            progress.baselineTaken = true
            logger.info("discovery baseline taken: finished jobs recorded without notifications", metadata: [
                "account": "\(account)", "silent": "\(plan.silent.count)", "watched": "\(plan.watch.count)",
            ])
        }
        for sighting in plan.watch {
            do throws(StoreError) {
                let added = try await watches.add(sighting.jobID, source: .discovery)
                progress.known?.insert(sighting.jobID)
                guard added.created else { continue }
                JobhookMetrics.discoveredJob(via: via.rawValue)
                logger.info("discovered job", metadata: [
                    "account": "\(account)", "job_id": "\(sighting.jobID)", "type": "\(sighting.type ?? "")",
                    "cluster_id": "\(sighting.clusterID ?? "")", "via": "\(via.rawValue)",
                ])
            } catch {
                logger.error("cannot record a discovered job; trying again at the next listing", metadata: [
                    "job_id": "\(sighting.jobID)", "error": "\(error)",
                ])
                return
            }
        }
        if plan.deferred > 0 {
            logger.notice("many new jobs at once; the rest join at the next listings", metadata: ["deferred": "\(plan.deferred)"])
        }
    }
}

/// What a discoverer carries from one listing to the next.
struct DiscoveryProgress: Sendable {
    /// Job IDs the store knows (loaded at the first round, then kept up to date); nil until loaded.
    var known: Set<String>?
    var baselineTaken = false
    /// ListJobs answered 403/404 under `via: auto`: clusters are listed instead, until a reload.
    var jobsRefused = false
    /// `via: jobs` was refused: no listing until the next reload.
    var stopped = false
    /// The config generation these flags belong to.
    var generation = 0
    /// Failed listings in a row (backoff).
    var failures = 0
}
