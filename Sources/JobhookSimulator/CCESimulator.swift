public import Hummingbird
public import Logging
import Foundation
import NIOCore
import ServiceLifecycle
import UnixSignals

/// A local CCE API that plays scripted job timelines: ShowJob with CCE's answer and error shapes,
/// injected faults, the authentication modes jobhook supports, and a small control API for tests,
/// `jobhook demo` and benchmarks:
///
/// - `GET /api/v3/projects/{project_id}/jobs/{job_id}`: ShowJob (also for sub-job IDs).
/// - `GET /api/v2/projects/{project_id}/jobs`: ListJobs, every job begun and not expired, as V2Jobs
///   (403 or 404 with `list_jobs: forbidden` / `not_found`).
/// - `GET /api/v3/projects/{project_id}/clusters`: ListClusters, from the jobs (`SimulatedInventory`).
/// - `GET /api/v3/projects/{project_id}/clusters/{cluster_id}/nodes?limit=&marker=`: ListNodes, paged
///   by node ID (`limit` 1…2000, default 2000; `marker` the last node ID of the page before).
/// - `POST /v3/auth/tokens`: IAM password login (only with `auth: {iam: …}`).
/// - `POST /sim/jobs`: adds a job, body as a scenario `jobs:` entry (JSON), timeline relative to now.
/// - `POST /sim/jobs/{id}/phase`: `{"phase": "Failed", "reason": "…", "subjobs": [...]}` from now on.
/// - `POST /sim/faults`: adds a fault, body as a scenario `faults:` entry.
/// - `GET /api/v3/projects/{project_id}/clusters/{cluster_id}`: ShowCluster, one ListClusters item (404
///   when the cluster is not listed), so a CTS trace without a job ID still leads to the job.
/// - `POST /sim/smn/publish`: `{"job_id": "…"}` (a Notification) or `{"type": "SubscriptionConfirmation"}`
///   / `"UnsubscribeConfirmation"`, optional `"url"`, `"subject"`, `"send": false` (sign only) →
///   `{"envelope": {…}, "status": <subscriber's status or null>}`.
/// - `GET /sim/smn/confirm?token=…&topic_urn=…`: the confirmations' `subscribe_url` (counted as `confirmed`).
/// - `GET /sim/smn/cert.pem`: the signing certificate (`signing_cert_url`).
/// - `GET /sim/stats`: `{"total": N, "jobs": {"job-id": n}, "listings": {"jobs": n, "clusters": n, "nodes": n},
///   "smn": {"published": n, "confirmed": n, "failed": n}}` requests served (`SimulatorStats`).
///
/// With the scenario's `smn:`, every job is also announced to jobhook's SMN intake when its timeline
/// begins (`SMNAnnouncer`).
///
/// Every CCE route checks the scenario's `auth:` first (401), then `project_id` (404).
public struct CCESimulator: Sendable {
    public let scenario: Scenario
    let state: SimulatorState
    let publisher: SMNPublisher

    public init(scenario: Scenario = .builtIn) {
        self.scenario = scenario
        state = SimulatorState(scenario: scenario)
        publisher = SMNPublisher(config: scenario.smn, projectID: scenario.projectID)
    }

    /// A Hummingbird application serving the simulator; `onRunning` receives the bound port (useful with port 0).
    /// `logger` is the server's (Hummingbird logs through it); tests pass a silent one.
    public func application(
        host: String = "127.0.0.1", port: Int = 0, logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let publisher = publisher
        let announcers: [any Service] = scenario.smn == nil ? [] : [SMNAnnouncer(state: state, publisher: publisher, logger: logger)]
        return Application(
            router: router(),
            configuration: .init(address: .hostname(host, port: port), serverName: "cce-simulator"),
            services: announcers,
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? port
                await publisher.attach(host: host, port: bound, logger: logger)
                await onRunning(bound)
            },
            logger: logger
        )
    }

    /// Serves until SIGTERM or SIGINT (for `jobhook simulate`); `onRunning` receives the bound port.
    public func run(
        host: String, port: Int, logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws {
        if scenario.smn != nil { _ = try await smnIdentity() }
        try await application(host: host, port: port, logger: logger, onRunning: onRunning)
            .runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }

    /// Starts serving in the background and returns once the port is bound. Stop it with `stop()`.
    public func start(host: String = "127.0.0.1", port: Int = 0, logger: Logger) async throws -> RunningSimulator {
        if scenario.smn != nil { _ = try await smnIdentity() }
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let app = application(host: host, port: port, logger: logger) { bound in
            portSink.yield(bound)
            portSink.finish()
        }
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task {
            defer { portSink.finish() }
            try await group.run()
        }
        for await bound in ports {
            return RunningSimulator(host: host, port: bound, simulator: self, group: group, task: task)
        }
        try await task.value  // never bound: surface the bind error
        throw SimulatorStartError(host: host, port: port)
    }

    /// Requests served so far: ShowJob per job and in total, listings per kind.
    public func stats() async -> SimulatorStats {
        var stats = await state.stats()
        stats.smn = await publisher.stats()
        return stats
    }

    /// The SMN signing key and certificate: read or generated, with `smn.key_file` and `smn.cert_file`
    /// written, on the first call (`start` and `run` make it with `smn:`, so a bad key file stops them).
    public func smnIdentity() async throws(ScenarioError) -> SMNSigningIdentity {
        try await publisher.prepare()
    }

    /// Adds a scripted job whose timeline starts now.
    public func add(_ job: Scenario.ScriptedJob) async { await state.addJobNow(job) }

    /// Sets a job's or sub-job's phase from now on. Returns false for an unknown ID.
    @discardableResult
    public func setPhase(_ id: String, to phase: String, reason: String? = nil,
                         subjobs: [Scenario.SubJob]? = nil) async -> Bool {
        await state.setPhase(id, phase: phase, reason: reason, subjobs: subjobs)
    }

    public func addFault(_ fault: Scenario.Fault) async { await state.addFault(fault) }

    // MARK: Routes

    func router() -> Hummingbird.Router<BasicRequestContext> {
        let router = Hummingbird.Router()
        let state = state
        let projectID = scenario.projectID
        let auth = SimulatorGate(auth: scenario.auth, state: state)

        router.get("/api/v3/projects/:project_id/jobs/:job_id") { request, context -> Response in
            let requestID = Self.requestID()
            if let refusal = await auth.refusal(for: request, requestID: requestID) { return refusal }
            let jobID = context.parameters.get("job_id") ?? ""
            if let projectID, context.parameters.get("project_id") != projectID {
                return SimulatorResponse.error(404, requestID: requestID, message: "project \(projectID) only")
            }
            switch await state.answer(for: jobID) {
            case .job(let body):
                return SimulatorResponse.json(.ok, body, requestID: requestID)
            case .notFound:
                return SimulatorResponse.error(404, requestID: requestID)
            case .fault(let fault, let body):
                return try await Self.respond(with: fault, job: body, requestID: requestID)
            }
        }
        addListingRoutes(to: router, gate: auth)
        router.post("/v3/auth/tokens") { request, _ -> Response in
            await auth.issueToken(for: request, requestID: Self.requestID())
        }
        router.post("/sim/jobs") { request, context -> Response in
            let job = try await request.decode(as: Scenario.ScriptedJob.self, context: context)
            await state.addJobNow(job)
            return SimulatorResponse.json(.created, object: ["id": job.id], requestID: Self.requestID())
        }
        router.post("/sim/jobs/:id/phase") { request, context -> Response in
            let change = try await request.decode(as: PhaseRequest.self, context: context)
            let id = context.parameters.get("id") ?? ""
            let known = await state.setPhase(id, phase: change.phase, reason: change.reason, subjobs: change.subjobs)
            return known
                ? SimulatorResponse.json(.ok, object: ["id": id, "phase": change.phase], requestID: Self.requestID())
                : SimulatorResponse.error(404, requestID: Self.requestID(), message: "no job \(id)")
        }
        router.post("/sim/faults") { request, context -> Response in
            let fault = try await request.decode(as: Scenario.Fault.self, context: context)
            await state.addFault(fault)
            let target = fault.list.map { ["list": $0.rawValue] } ?? ["job": fault.job]
            return SimulatorResponse.json(.created, object: target, requestID: Self.requestID())
        }
        addSMNRoutes(to: router)
        let simulator = self
        router.get("/sim/stats") { _, _ -> Response in
            let data = (try? JSONEncoder().encode(await simulator.stats())) ?? Data("{}".utf8)
            return SimulatorResponse.json(.ok, ByteBuffer(bytes: data), requestID: Self.requestID())
        }
        return router
    }

    private struct PhaseRequest: Decodable {
        var phase: String
        var reason: String?
        var subjobs: [Scenario.SubJob]?
    }

    /// A fault's answer; `job` is the document (ShowJob's or a listing) it may cut or delay.
    static func respond(with fault: Scenario.Fault, job: ByteBuffer?, requestID: String) async throws -> Response {
        if let delay = fault.delay { try await Task.sleep(for: delay) }
        if fault.html { return SimulatorResponse.html(status: fault.status ?? 200, requestID: requestID) }
        if fault.truncate, let job { return SimulatorResponse.truncated(job, requestID: requestID) }
        if let status = fault.status {
            return SimulatorResponse.error(status, requestID: requestID, retryAfter: fault.retryAfter)
        }
        if let job { return SimulatorResponse.json(.ok, job, requestID: requestID) }  // a delay only
        return SimulatorResponse.error(404, requestID: requestID)
    }

    /// 32 hex digits, like the gateway's request IDs.
    static func requestID() -> String {
        let high = String(UInt64.random(in: .min ... .max), radix: 16)
        let low = String(UInt64.random(in: .min ... .max), radix: 16)
        return String(repeating: "0", count: 16 - high.count) + high + String(repeating: "0", count: 16 - low.count) + low
    }
}

/// A running simulator (from `CCESimulator.start`).
public struct RunningSimulator: Sendable {
    public let host: String
    public let port: Int
    public let simulator: CCESimulator
    let group: ServiceGroup
    let task: Task<Void, any Error>

    /// `http://host:port`, the `cce.endpoint` to configure.
    public var endpoint: String { "http://\(host):\(port)" }

    /// Stops serving and waits until the port is closed.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}

/// The simulator could not listen (address in use, bad host).
public struct SimulatorStartError: Error, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var description: String { "cannot listen on \(host):\(port)" }
}
