import CurlHTTP
import Foundation
import Testing
import TestSupport

/// Real processes for end-to-end tests: `jobhook simulate` as the CCE API and `jobhook run` as the
/// daemon, both on ephemeral loopback ports, in a temp directory.
struct Harness {
    let dir: TempDirectory
    let simulator: ChildProcess
    let cceEndpoint: String

    /// Starts the simulator on `scenario` (YAML text).
    init(scenario: String) async throws {
        dir = try TempDirectory("jobhook-e2e")
        let file = try dir.write("scenario.yaml", scenario)
        simulator = try ChildProcess(jobhookBinary(), ["simulate", "--scenario", file, "--listen", "127.0.0.1:0"])
        guard let line = await simulator.waitForLine(containing: "listening on"),
              let url = line.split(separator: " ").first(where: { $0.hasPrefix("http://") })
        else {
            simulator.signal(SIGKILL)
            throw HarnessError("the simulator did not start: \(simulator.stderr)")
        }
        cceEndpoint = String(url)
    }

    /// A config for `jobhook run` against this simulator: fast polls, a temp state file, API on port 0.
    /// `receivers` and `rules` are YAML list items (already indented by two spaces).
    func writeConfig(receivers: String, rules: String, watch: [String], extra: String = "") throws -> String {
        try dir.write("rules.yaml", """
            cce:
              region: cn-north-4
              endpoint: \(cceEndpoint)
              project_id: p1
              auth:
                token: test-token
            poll:
              interval: 100ms
              concurrency: 8
              max_rps: 200
            watch:
              jobs: [\(watch.joined(separator: ", "))]
            state:
              path: \(dir.file("state.sqlite"))
            server:
              listen: 127.0.0.1:0
            receivers:
            \(receivers)
            rules:
            \(rules)
            \(extra)
            """)
    }

    func startDaemon(config: String, environment: [String: String] = [:], logLevel: String? = nil) throws -> ChildProcess {
        try ChildProcess(jobhookBinary(), ["run", "-c", config] + (logLevel.map { ["--log-level", $0] } ?? []), environment: environment)
    }

    func run(_ arguments: [String]) async throws -> (status: Int32?, stdout: String, stderr: String) {
        let process = try ChildProcess(jobhookBinary(), arguments)
        let status = await process.waitForExit(timeout: .seconds(30))
        return (status, process.stdout, process.stderr)
    }

    /// Requests the simulator has served, in total and per job (`GET /sim/stats`).
    func served() async throws -> (total: Int, jobs: [String: Int]) {
        let http = CurlClient()
        defer { http.shutdown() }
        let stats = try await http.send(HTTPRequest(url: cceEndpoint + "/sim/stats"))
        let object = try JSONSerialization.jsonObject(with: stats.body) as? [String: Any]
        return (object?["total"] as? Int ?? -1, object?["jobs"] as? [String: Int] ?? [:])
    }

    /// Moves a job (or sub-job) to `phase` from now on (`POST /sim/jobs/{id}/phase`), for tests that
    /// must not depend on when the daemon's first poll lands.
    func setPhase(_ id: String, _ phase: String, reason: String? = nil) async throws {
        let http = CurlClient()
        defer { http.shutdown() }
        let body = try JSONSerialization.data(withJSONObject: ["phase": phase, "reason": reason as Any].compactMapValues { $0 })
        let answer = try await http.send(HTTPRequest(method: "POST", url: cceEndpoint + "/sim/jobs/\(id)/phase",
                                                     headers: [HTTPHeader("Content-Type", "application/json")], body: body))
        guard answer.status == 200 else { throw HarnessError("setting \(id) to \(phase): HTTP \(answer.status)") }
    }

    func stop() async {
        await simulator.kill9()
        dir.cleanUp()
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension Harness {
    /// Adds a job to the simulator from now on (`POST /sim/jobs`), given as a scenario `jobs:` entry.
    func addJob(_ entry: [String: Any]) async throws {
        let http = CurlClient()
        defer { http.shutdown() }
        let body = try JSONSerialization.data(withJSONObject: entry)
        let answer = try await http.send(HTTPRequest(method: "POST", url: cceEndpoint + "/sim/jobs",
                                                     headers: [HTTPHeader("Content-Type", "application/json")], body: body))
        guard (200..<300).contains(answer.status) else {
            throw HarnessError("adding job \(entry["id"] ?? "?"): HTTP \(answer.status) \(String(decoding: answer.body, as: UTF8.self))")
        }
    }

    /// Listing requests the simulator has served, by kind (`jobs`, `clusters`, `nodes`).
    func listings() async throws -> [String: Int] {
        let http = CurlClient()
        defer { http.shutdown() }
        let stats = try await http.send(HTTPRequest(url: cceEndpoint + "/sim/stats"))
        let object = try JSONSerialization.jsonObject(with: stats.body) as? [String: Any]
        return object?["listings"] as? [String: Int] ?? [:]
    }
}
