public import Foundation
import Yams

/// A script for the simulator: which jobs exist, how their phase trees move over time, which requests
/// answer with faults, and which authentication the simulated API demands.
///
/// ```yaml
/// project_id: p123          # optional: other project IDs get 404
/// speed: 1                  # scenario seconds per real second
/// auth: {token: secret}     # or {aksk: {ak, sk}}, {iam: {domain, user, password, token_lifetime}}; default none
/// jobs:
///   - id: job-ok
///     type: CreateCluster
///     resource_name: demo
///     cluster_id: c-1
///     expire_after: 1h      # optional: 404 from then on, as CCE forgets old jobs
///     timeline:             # after: since the scenario started; before the first step the job is 404
///       - {after: 0s, phase: Running, subjobs: [{id: s1, type: InstallMaster, phase: Running}]}
///       - {after: 2s, phase: Success, subjobs: [{id: s1, type: InstallMaster, phase: Success}]}
/// faults:                   # the Nth request(s) for a job (1-based) answer with a fault
///   - {job: job-ok, requests: [2, 3], status: 503}
///   - {job: job-ok, requests: [4], truncate: true}      # also html: true, delay: 2s, status: 429, retry_after: 1s
/// ```
public struct Scenario: Sendable, Hashable, Decodable {
    public var projectID: String?
    public var speed: Double
    public var auth: SimulatorAuth
    public var jobs: [ScriptedJob]
    public var faults: [Fault]

    public init(projectID: String? = nil, speed: Double = 1, auth: SimulatorAuth = .none,
                jobs: [ScriptedJob], faults: [Fault] = []) {
        self.projectID = projectID
        self.speed = speed
        self.auth = auth
        self.jobs = jobs
        self.faults = faults
    }

    /// One top-level job and its timeline.
    public struct ScriptedJob: Sendable, Hashable, Decodable {
        public var id: String
        public var type: String
        public var resourceName: String?
        public var clusterID: String?
        public var timeline: [Step]
        public var expireAfter: Duration?

        public init(id: String, type: String, resourceName: String? = nil, clusterID: String? = nil,
                    timeline: [Step], expireAfter: Duration? = nil) {
            self.id = id
            self.type = type
            self.resourceName = resourceName
            self.clusterID = clusterID
            self.timeline = timeline
            self.expireAfter = expireAfter
        }

        enum CodingKeys: String, CodingKey {
            case id, type, timeline
            case resourceName = "resource_name", clusterID = "cluster_id", expireAfter = "expire_after"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            id = try c.decode(String.self, forKey: .id)
            type = try c.decodeIfPresent(String.self, forKey: .type) ?? "CreateCluster"
            resourceName = try c.decodeIfPresent(String.self, forKey: .resourceName)
            clusterID = try c.decodeIfPresent(String.self, forKey: .clusterID)
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

    /// Makes chosen requests for a job misbehave, counted per job from 1.
    public struct Fault: Sendable, Hashable, Decodable {
        public var job: String
        public var requests: [Int]
        /// Answer with this status and CCE's error body for it (a 429 carries `Retry-After`).
        public var status: Int?
        public var retryAfter: Duration?
        /// Answer 200 with the job document cut in half.
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

        enum CodingKeys: String, CodingKey {
            case job, requests, request, status, truncate, html, delay
            case retryAfter = "retry_after"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            job = try c.decode(String.self, forKey: .job)
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
        case jobs, faults, speed, auth
        case projectID = "project_id"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        projectID = try c.decodeIfPresent(String.self, forKey: .projectID)
        speed = try c.decodeIfPresent(Double.self, forKey: .speed) ?? 1
        auth = try c.decodeIfPresent(SimulatorAuth.self, forKey: .auth) ?? .none
        jobs = try c.decodeIfPresent([ScriptedJob].self, forKey: .jobs) ?? []
        faults = try c.decodeIfPresent([Fault].self, forKey: .faults) ?? []
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
