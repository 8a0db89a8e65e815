import Foundation
import Yams

/// A script for the simulator: which jobs exist, how their phase trees move over time, which requests
/// answer with faults, and which authentication the simulated API demands. The listings (ListJobs,
/// ListClusters, ListNodes) follow from the jobs' timelines: see `SimulatedInventory`.
///
/// ```yaml
/// project_id: p123          # optional: other project IDs get 404
/// speed: 1                  # scenario seconds per real second
/// auth: {token: secret}     # or {aksk: {ak, sk}}, {iam: {domain, user, password, token_lifetime}}; default none
/// list_jobs: served         # or forbidden (ListJobs answers 403, as without cce:job:list), not_found (404)
/// jobs:
///   - id: job-ok
///     type: CreateCluster   # CreateCluster/DeleteCluster move cluster_id's cluster in ListClusters
///     resource_name: demo   # the cluster's (or node's) name in the listings
///     cluster_id: c-1
///     expire_after: 1h      # optional: 404 (and gone from ListJobs) from then on, as CCE forgets old jobs
///     timeline:             # after: since the scenario started; before the first step the job is 404
///       - {after: 0s, phase: Running, subjobs: [{id: s1, type: InstallMaster, phase: Running}]}
///       - {after: 2s, phase: Success, subjobs: [{id: s1, type: InstallMaster, phase: Success}]}
///   - id: job-node
///     type: CreateNode      # CreateNode/DeleteNode move a node of cluster_id in ListNodes
///     cluster_id: c-1
///     resource_id: n-1      # optional: the node's ID (default node-<job id>); ShowJob's resourceID
///     timeline: [{after: 1s, phase: Running}, {after: 5s, phase: Success}]
/// faults:                   # the Nth request(s) for a job (1-based) answer with a fault
///   - {job: job-ok, requests: [2, 3], status: 503}
///   - {job: job-ok, requests: [4], truncate: true}      # also html: true, delay: 2s, status: 429, retry_after: 1s
///   - {list: jobs, requests: [1], status: 503}          # the Nth ListJobs request; also list: clusters, nodes
/// storm: {seed: 1, server_errors: 0.3, throttled: 0.1, truncated: 0.05, slow: 0.2, min_delay: 100ms, max_delay: 2s}
/// smn:                      # play SMN: POST a signed CTS trace for every job when its timeline begins
///   url: http://127.0.0.1:8080/intake/smn            # where to POST (jobhook's intake route); required
///   topic_urn: urn:smn:sim-region:p123:cce-events    # default urn:smn:sim-region:<project_id or sim>:cce-events
///   key_file: ./smn-key.pem   # optional: read if it exists, else generated and written here (0600)
///   cert_file: ./smn-cert.pem # the self-signed certificate is written here (jobhook pins it)
///   confirm: true             # a SubscriptionConfirmation before the first notification (default true)
///   response: job_id          # or empty: the trace's response is "" (jobhook must use ShowCluster)
/// ```
///
/// `storm:` (`Scenario.Storm`) draws every other answer's fate from a seeded RNG, for chaos runs.
/// `smn:` (`Scenario.SMN`) makes the simulator publish to jobhook's push intake; jobs added with
/// `POST /sim/jobs` are announced too. Relative paths are taken from the working directory.
public struct Scenario: Sendable, Hashable, Decodable {
    public var projectID: String?
    public var speed: Double
    public var auth: SimulatorAuth
    /// How ListJobs answers; `.forbidden` exercises discovery through clusters and nodes.
    public var listJobs: ListJobsMode
    public var jobs: [ScriptedJob]
    public var faults: [Fault]
    /// Random faults on every answer that no scripted fault picks; nil: a calm API.
    public var storm: Storm?
    /// SMN publishing to jobhook's push intake; nil: none (`/sim/smn/publish` still works).
    public var smn: SMN?

    public init(projectID: String? = nil, speed: Double = 1, auth: SimulatorAuth = .none,
                listJobs: ListJobsMode = .served, jobs: [ScriptedJob], faults: [Fault] = [], storm: Storm? = nil,
                smn: SMN? = nil) {
        self.projectID = projectID
        self.speed = speed
        self.auth = auth
        self.listJobs = listJobs
        self.jobs = jobs
        self.faults = faults
        self.storm = storm
        self.smn = smn
    }

    /// `list_jobs:`: whether the credentials may list jobs. CCE refuses ListJobs with 403 without the
    /// `cce:job:list` permission, and some endpoints do not serve the v2 API at all (404).
    public enum ListJobsMode: String, Sendable, Hashable, Decodable {
        case served
        case forbidden
        case notFound = "not_found"
    }

    /// One top-level job and its timeline.
    public struct ScriptedJob: Sendable, Hashable, Decodable {
        public var id: String
        public var type: String
        public var resourceName: String?
        public var clusterID: String?
        /// The node a `CreateNode`/`DeleteNode` job works on (default `node-<id>`), or what ShowJob shows
        /// as `resourceID` for other jobs (default the cluster ID).
        public var resourceID: String?
        public var timeline: [Step]
        public var expireAfter: Duration?

        public init(id: String, type: String, resourceName: String? = nil, clusterID: String? = nil,
                    resourceID: String? = nil, timeline: [Step], expireAfter: Duration? = nil) {
            self.id = id
            self.type = type
            self.resourceName = resourceName
            self.clusterID = clusterID
            self.resourceID = resourceID
            self.timeline = timeline
            self.expireAfter = expireAfter
        }

        enum CodingKeys: String, CodingKey {
            case id, type, timeline
            case resourceName = "resource_name", clusterID = "cluster_id", resourceID = "resource_id"
            case expireAfter = "expire_after"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            id = try c.decode(String.self, forKey: .id)
            type = try c.decodeIfPresent(String.self, forKey: .type) ?? "CreateCluster"
            resourceName = try c.decodeIfPresent(String.self, forKey: .resourceName)
            clusterID = try c.decodeIfPresent(String.self, forKey: .clusterID)
            resourceID = try c.decodeIfPresent(String.self, forKey: .resourceID)
            timeline = try c.decode([Step].self, forKey: .timeline).sorted { $0.after < $1.after }
            expireAfter = try c.decodeDurationIfPresent(forKey: .expireAfter)
        }
    }

    /// The job tree's phases from `after` on.
    public struct Step: Sendable, Hashable, Decodable {
        public var after: Duration
        public var phase: String
        public var reason: String?
        public var subjobs: [SubJob]

        public init(after: Duration, phase: String, reason: String? = nil, subjobs: [SubJob] = []) {
            self.after = after
            self.phase = phase
            self.reason = reason
            self.subjobs = subjobs
        }

        enum CodingKeys: String, CodingKey { case after, phase, reason, subjobs }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            after = try c.decodeDurationIfPresent(forKey: .after) ?? .zero
            phase = try c.decode(String.self, forKey: .phase)
            reason = try c.decodeIfPresent(String.self, forKey: .reason)
            subjobs = try c.decodeIfPresent([SubJob].self, forKey: .subjobs) ?? []
        }
    }

    public struct SubJob: Sendable, Hashable, Decodable {
        public var id: String
        public var type: String
        public var phase: String?
        public var reason: String?
        public var subjobs: [SubJob]

        public init(id: String, type: String, phase: String?, reason: String? = nil, subjobs: [SubJob] = []) {
            self.id = id
            self.type = type
            self.phase = phase
            self.reason = reason
            self.subjobs = subjobs
        }

        enum CodingKeys: String, CodingKey { case id, type, phase, reason, subjobs }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            id = try c.decode(String.self, forKey: .id)
            type = try c.decodeIfPresent(String.self, forKey: .type) ?? "SubJob"
            phase = try c.decodeIfPresent(String.self, forKey: .phase)
            reason = try c.decodeIfPresent(String.self, forKey: .reason)
            subjobs = try c.decodeIfPresent([SubJob].self, forKey: .subjobs) ?? []
        }
    }

    /// Makes chosen requests for a job (or for one kind of listing) misbehave, counted per job (per
    /// listing kind) from 1.
    public struct Fault: Sendable, Hashable, Decodable {
        /// The job whose ShowJob requests misbehave; empty for a listing fault.
        public var job: String
        /// Set for a listing fault (`list: jobs`): ListJobs, ListClusters or ListNodes (any cluster) requests.
        public var list: SimulatedListing?
        public var requests: [Int]
        /// Answer with this status and CCE's error body for it (a 429 carries `Retry-After`).
        public var status: Int?
        public var retryAfter: Duration?
        /// Answer 200 with the job document (or listing) cut in half.
        public var truncate: Bool
        /// Answer with an HTML page (a proxy's or a login page) instead of JSON.
        public var html: Bool
        /// Wait this long before answering (longer than the client's timeout: a timeout).
        public var delay: Duration?

        public init(job: String, requests: [Int], status: Int? = nil, retryAfter: Duration? = nil,
                    truncate: Bool = false, html: Bool = false, delay: Duration? = nil) {
            self.job = job
            self.requests = requests
            self.status = status
            self.retryAfter = retryAfter
            self.truncate = truncate
            self.html = html
            self.delay = delay
        }

        /// A fault for the Nth request(s) of one kind of listing.
        public init(list: SimulatedListing, requests: [Int], status: Int? = nil, retryAfter: Duration? = nil,
                    truncate: Bool = false, html: Bool = false, delay: Duration? = nil) {
            self.init(job: "", requests: requests, status: status, retryAfter: retryAfter, truncate: truncate,
                      html: html, delay: delay)
            self.list = list
        }

        enum CodingKeys: String, CodingKey {
            case job, list, requests, request, status, truncate, html, delay
            case retryAfter = "retry_after"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            list = try c.decodeIfPresent(SimulatedListing.self, forKey: .list)
            if list != nil {
                guard !c.contains(.job) else {
                    throw DecodingError.dataCorruptedError(forKey: .job, in: c, debugDescription: "a fault names a job or a list, not both")
                }
                job = ""
            } else {
                job = try c.decode(String.self, forKey: .job)
            }
            if let list = try c.decodeIfPresent([Int].self, forKey: .requests) {
                requests = list
            } else {
                requests = [try c.decode(Int.self, forKey: .request)]
            }
            status = try c.decodeIfPresent(Int.self, forKey: .status)
            retryAfter = try c.decodeDurationIfPresent(forKey: .retryAfter)
            truncate = try c.decodeIfPresent(Bool.self, forKey: .truncate) ?? false
            html = try c.decodeIfPresent(Bool.self, forKey: .html) ?? false
            delay = try c.decodeDurationIfPresent(forKey: .delay)
        }
    }

    enum CodingKeys: String, CodingKey {
        case jobs, faults, speed, auth, storm, smn
        case projectID = "project_id", listJobs = "list_jobs"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        projectID = try c.decodeIfPresent(String.self, forKey: .projectID)
        speed = try c.decodeIfPresent(Double.self, forKey: .speed) ?? 1
        auth = try c.decodeIfPresent(SimulatorAuth.self, forKey: .auth) ?? .none
        listJobs = try c.decodeIfPresent(ListJobsMode.self, forKey: .listJobs) ?? .served
        jobs = try c.decodeIfPresent([ScriptedJob].self, forKey: .jobs) ?? []
        faults = try c.decodeIfPresent([Fault].self, forKey: .faults) ?? []
        storm = try c.decodeIfPresent(Storm.self, forKey: .storm)
        smn = try c.decodeIfPresent(SMN.self, forKey: .smn)
        guard speed > 0, speed.isFinite else {
            throw DecodingError.dataCorruptedError(forKey: .speed, in: c, debugDescription: "speed must be > 0")
        }
    }

    /// Reads a scenario from a YAML (or JSON) file.
    public static func load(path: String) throws(ScenarioError) -> Scenario {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ScenarioError("\(path): cannot read the scenario file: \(error.localizedDescription)")
        }
        return try parse(text, source: path)
    }

    /// Parses scenario YAML (JSON is YAML too).
    public static func parse(_ text: String, source: String = "scenario") throws(ScenarioError) -> Scenario {
        do {
            return try YAMLDecoder().decode(Scenario.self, from: text)
        } catch let error as DecodingError {
            throw ScenarioError("\(source): \(ScenarioError.describe(error))")
        } catch {
            throw ScenarioError("\(source): \(error)")
        }
    }

    /// Every top-level job ID the scenario serves.
    public var jobIDs: [String] { jobs.map(\.id) }
}

/// A scenario file that cannot be used: says which file and what is wrong.
public struct ScenarioError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }

    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing key '\(key.stringValue)' at \(path(context.codingPath))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(context.debugDescription) at \(path(context.codingPath))"
        @unknown default: return "\(error)"
        }
    }
}
