import CCE
import Foundation
import Hummingbird

/// The simulator's memory: pre-rendered job documents per timeline step, faults, request counts and
/// issued IAM tokens. Answers are encoded once per step, so serving a poll is a dictionary lookup and
/// a short binary search: the simulator must never be the bottleneck of a 10,000-job benchmark.
/// The listings are served from the same timelines (`SimulatorState+Listing.swift`).
actor SimulatorState {
    /// One rendered step of a job's timeline, in scenario time.
    struct Frame {
        var at: Duration
        var tree: Job
        /// ShowJob's document.
        var body: ByteBuffer
        /// The same tree as a V2Job, ListJobs' element.
        var listed: ByteBuffer

        init(at: Duration, tree: Job) {
            self.at = at
            self.tree = tree
            body = TimelineRenderer.encode(tree)
            listed = ByteBuffer(bytes: V2JobDocument.encode(tree))
        }
    }

    struct Timeline {
        /// The script, for what the job works on (its cluster or node).
        var job: Scenario.ScriptedJob
        var frames: [Frame]
        var expireAt: Duration?
    }

    enum Answer {
        case job(ByteBuffer)
        case notFound
        case fault(Scenario.Fault, job: ByteBuffer?)
    }

    private let started = ContinuousClock.now
    let epoch = Date()
    let speed: Double
    private(set) var timelines: [String: Timeline] = [:]
    /// Top-level job IDs in the order the scenario and the control API gave them (ListJobs' order).
    private(set) var order: [String] = []
    /// Sub-job uid → top-level job ID (CCE answers ShowJob for sub-job IDs too).
    private var owners: [String: String] = [:]
    private var faults: [String: [Int: Scenario.Fault]] = [:]
    var listingFaults: [SimulatedListing: [Int: Scenario.Fault]] = [:]
    private var counts: [String: Int] = [:]
    private var total = 0
    var listingCounts: [SimulatedListing: Int] = [:]
    private var issuedTokens: [String: ContinuousClock.Instant] = [:]
    /// `storm:` and its dice: one seeded sequence for every CCE answer, in the order requests arrive.
    let storm: Scenario.Storm?
    var stormDice: SeededRandom
    /// Storm answers given, by kind (`StormDraw.Kind`) and `slow`.
    var stormCounts: [String: Int] = [:]
    /// With `smn:`: the jobs still to be announced when their timelines begin (`SimulatorState+SMN.swift`).
    var announcements: SMNAnnouncementQueue?

    init(scenario: Scenario) {
        speed = scenario.speed
        storm = scenario.storm
        stormDice = SeededRandom(seed: scenario.storm?.seed ?? 0)
        let renderer = TimelineRenderer(epoch: epoch, speed: speed)
        for job in scenario.jobs {
            if timelines[job.id] == nil { order.append(job.id) }
            timelines[job.id] = renderer.timeline(of: job, offset: .zero)
            for frame in timelines[job.id]?.frames ?? [] { Self.registerOwners(of: frame.tree, root: job.id, in: &owners) }
        }
        for fault in scenario.faults { Self.file(fault, in: &faults, listings: &listingFaults) }
        if scenario.smn != nil {
            var queue = SMNAnnouncementQueue()
            for id in order { if let begins = timelines[id]?.frames.first?.at { queue.add(id, beginsAt: begins) } }
            announcements = queue
        }
    }

    private var renderer: TimelineRenderer { TimelineRenderer(epoch: epoch, speed: speed) }

    /// Scenario time now (real time since start × speed).
    var now: Duration { (ContinuousClock.now - started) * speed }

    // MARK: Serving

    func answer(for jobID: String) -> Answer {
        total += 1
        let count = (counts[jobID] ?? 0) + 1
        counts[jobID] = count
        let body = currentBody(of: jobID)
        if let fault = faults[jobID]?[count] ?? stormFault() { return .fault(fault, job: body) }
        return body.map(Answer.job) ?? .notFound
    }

    private func currentBody(of jobID: String) -> ByteBuffer? {
        if timelines[jobID] != nil {
            return currentFrame(of: jobID)?.body
        }
        guard let root = owners[jobID], let tree = currentFrame(of: root)?.tree,
              let node = Self.find(jobID, in: tree), let data = try? JSONEncoder().encode(node)
        else { return nil }
        return ByteBuffer(bytes: data)
    }

    private func currentFrame(of jobID: String) -> Frame? {
        timelines[jobID].flatMap { Self.servedFrame(of: $0, at: now) }
    }

    /// What ShowJob (and ListJobs) serve at `time`: nil before the first step and once expired.
    static func servedFrame(of timeline: Timeline, at time: Duration) -> Frame? {
        if let expireAt = timeline.expireAt, time >= expireAt { return nil }
        return frame(of: timeline, at: time)
    }

    /// The step in force at `time`, expired or not; nil before the first step.
    static func frame(of timeline: Timeline, at time: Duration) -> Frame? {
        // Last frame with at <= time (binary search: timelines may be long in benchmarks).
        var low = 0, high = timeline.frames.count
        while low < high {
            let mid = (low + high) / 2
            if timeline.frames[mid].at <= time { low = mid + 1 } else { high = mid }
        }
        return low == 0 ? nil : timeline.frames[low - 1]
    }

    // MARK: Control

    /// Adds a scripted job whose timeline starts `offset` into the scenario (runtime additions: now).
    func add(_ job: Scenario.ScriptedJob, offset: Duration) {
        let timeline = renderer.timeline(of: job, offset: offset)
        if timelines[job.id] == nil { order.append(job.id) }
        timelines[job.id] = timeline
        for frame in timeline.frames { Self.registerOwners(of: frame.tree, root: job.id, in: &owners) }
        if let begins = timeline.frames.first?.at { announcements?.add(job.id, beginsAt: begins) }
    }

    func addJobNow(_ job: Scenario.ScriptedJob) { add(job, offset: now) }

    func addFault(_ fault: Scenario.Fault) {
        Self.file(fault, in: &faults, listings: &listingFaults)
    }

    private static func file(_ fault: Scenario.Fault, in faults: inout [String: [Int: Scenario.Fault]],
                             listings: inout [SimulatedListing: [Int: Scenario.Fault]]) {
        for n in fault.requests {
            if let list = fault.list {
                listings[list, default: [:]][n] = fault
            } else {
                faults[fault.job, default: [:]][n] = fault
            }
        }
    }

    /// Sets the phase (and reason) of a job or sub-job from now on, dropping the rest of its script.
    /// `subjobs`, when given, replaces the node's sub-jobs. Returns false for an unknown ID.
    func setPhase(_ id: String, phase: String, reason: String?, subjobs: [Scenario.SubJob]?) -> Bool {
        guard let root = timelines[id] != nil ? id : owners[id], var timeline = timelines[root],
              let base = currentFrame(of: root) ?? timeline.frames.first
        else { return false }
        let at = now
        var tree = base.tree
        let created = at
        let renderer = renderer
        Self.update(id, in: &tree) { node in
            node.phase = phase
            node.reason = reason
            node.updatedAt = renderer.wallTime(at)
            if let subjobs {
                node.subJobs = subjobs.map {
                    renderer.subJob($0, owner: id, clusterID: node.clusterID, created: created, at: at)
                }
            }
        }
        timeline.frames.removeAll { $0.at > at }
        timeline.frames.append(Frame(at: at, tree: tree))
        timelines[root] = timeline
        Self.registerOwners(of: tree, root: root, in: &owners)
        return true
    }

    // MARK: Stats and tokens

    func stats() -> SimulatorStats {
        SimulatorStats(total: total, jobs: counts,
                       listings: Dictionary(uniqueKeysWithValues: listingCounts.map { ($0.key.rawValue, $0.value) }),
                       storm: stormCounts)
    }

    func issueToken(lifetime: Duration) -> String {
        let token = "sim-" + UUID().uuidString.lowercased()
        issuedTokens[token] = ContinuousClock.now + lifetime
        return token
    }

    func isValidToken(_ token: String) -> Bool {
        guard let expiry = issuedTokens[token] else { return false }
        return ContinuousClock.now < expiry
    }

    // MARK: Rendering

    private static func registerOwners(of tree: Job, root: String, in owners: inout [String: String]) {
        for child in tree.subJobs {
            if let uid = child.uid { owners[uid] = root }
            registerOwners(of: child, root: root, in: &owners)
        }
    }

    private static func find(_ uid: String, in tree: Job) -> Job? {
        if tree.uid == uid { return tree }
        for child in tree.subJobs { if let found = find(uid, in: child) { return found } }
        return nil
    }

    private static func update(_ uid: String, in tree: inout Job, _ change: (inout Job) -> Void) {
        if tree.uid == uid { change(&tree); return }
        for index in tree.subJobs.indices { update(uid, in: &tree.subJobs[index], change) }
    }
}

/// Requests the simulator has served (`GET /sim/stats`).
public struct SimulatorStats: Sendable, Hashable, Codable {
    /// ShowJob requests that passed the credential check, all jobs together (listings not included).
    public var total: Int
    /// ShowJob requests per job ID.
    public var jobs: [String: Int]
    /// Listing requests received per kind (`jobs`, `clusters`, `nodes`: one per ListNodes page), refused
    /// ones included, so a test can count listings per interval and see that a 401 stopped them.
    public var listings: [String: Int]
    /// Answers a `storm:` spoiled, by kind: `server_errors`, `throttled`, `truncated`, and `slow`
    /// (delayed, counted apart since a slow answer may also be a fault). Empty without a storm.
    public var storm: [String: Int]
    /// SMN messages published, subscriptions confirmed, messages given up on.
    public var smn = SMNStats()
}
