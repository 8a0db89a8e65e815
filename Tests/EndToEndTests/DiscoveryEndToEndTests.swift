import CurlHTTP
import Foundation
import Synchronization
import Testing
import TestSupport

/// `jobhook run` with `discover:` against `jobhook simulate` (and a hostile CCE), as processes.
@Suite(.serialized) struct DiscoveryEndToEndTests {
    /// One alert per job and phase: `{"job": …, "phase": …}` under its webhook-id.
    static let receivers = """
          - name: chat
            url: URL
            body: {job: "{{job.id}}", phase: "{{event.to}}"}
            retry: {max_attempts: 20, initial_backoff: 50ms, max_backoff: 200ms, max_age: 1m}
        """
    static let rules = """
          - name: ended
            match: {phase: [Failed, Success], level: job}
            notify: [chat]
        """

    /// Distinct webhook-ids per job among the received alerts.
    static func alerts(_ receiver: LoopbackServer) -> [String: Set<String>] {
        var byJob: [String: Set<String>] = [:]
        for request in receiver.requests {
            guard let body = request.bodyJSON as? [String: String], let job = body["job"] else { continue }
            byJob[job, default: []].insert(request.header("webhook-id") ?? "")
        }
        return byJob
    }

    @Test func theBaselineIsSilentAndEveryNewJobIsReportedOnceAcrossARestart() async throws {
        let harness = try await Harness(scenario: """
            project_id: p1
            jobs:
              - id: job-old
                type: CreateCluster
                cluster_id: c-old
                timeline: [{after: 0s, phase: Failed, reason: long ago}]
              - id: job-running
                type: CreateCluster
                cluster_id: c-run
                timeline: [{after: 0s, phase: Running}]
            """)
        let receiver = try LoopbackServer { _ in .status(200) }
        defer { receiver.stop() }
        try await Task.sleep(for: .milliseconds(1100))  // job-old's last update is now in the past
        let config = try harness.writeConfig(receivers: Self.receivers.replacingOccurrences(of: "URL", with: receiver.url("/chat")),
                                             rules: Self.rules, watch: [], extra: "discover: {interval: 1s}")
        var daemon = try harness.startDaemon(config: config)
        // Failed only once discovery watches it: however slow the start, it was running at the baseline.
        _ = await daemon.waitForLine(containing: "job_id=job-running", in: .stderr, timeout: .seconds(20))
        try await harness.setPhase("job-running", "Failed", reason: "boom")
        let first = await eventually(timeout: .seconds(20)) { Self.alerts(receiver)["job-running"] != nil }
        #expect(first, "stderr: \(daemon.stderr)")

        try await harness.addJob(["id": "job-live", "type": "CreateNode", "cluster_id": "c-run",
                                  "timeline": [["after": "0s", "phase": "Running"], ["after": "1s", "phase": "Failed"]]])
        let live = await eventually(timeout: .seconds(20)) { Self.alerts(receiver)["job-live"] != nil }
        #expect(live, "stderr: \(daemon.stderr)")

        // Killed; a job starts and fails while nobody watches; the restarted daemon still reports it.
        await daemon.kill9()
        try await harness.addJob(["id": "job-while-down", "type": "CreateCluster", "cluster_id": "c-down",
                                  "timeline": [["after": "0s", "phase": "Failed", "reason": "quota"]]])
        try await Task.sleep(for: .milliseconds(1500))
        daemon = try harness.startDaemon(config: config)
        let afterRestart = await eventually(timeout: .seconds(20)) { Self.alerts(receiver)["job-while-down"] != nil }
        #expect(afterRestart, "stderr: \(daemon.stderr)")
        try await Task.sleep(for: .milliseconds(2500))  // several more listings
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit() == 0)
        await harness.stop()

        let alerts = Self.alerts(receiver)
        #expect(alerts["job-old"] == nil, "the baseline job is never reported")
        for job in ["job-running", "job-live", "job-while-down"] {
            #expect(alerts[job]?.count == 1, "\(job): one alert (repeats only under its webhook-id): \(alerts)")
        }
    }

    @Test func underAutoAForbiddenListJobsFindsTheJobsOfClustersAndNodesAtWork() async throws {
        let harness = try await Harness(scenario: """
            project_id: p1
            list_jobs: forbidden
            jobs:
              - id: job-cluster
                type: CreateCluster
                cluster_id: c-new
                timeline: [{after: 0s, phase: Running}]
              - id: job-node
                type: CreateNode
                cluster_id: c-base
                resource_id: n-1
                timeline: [{after: 0s, phase: Running}]
            """)
        let receiver = try LoopbackServer { _ in .status(200) }
        defer { receiver.stop() }
        let config = try harness.writeConfig(receivers: Self.receivers.replacingOccurrences(of: "URL", with: receiver.url("/chat")),
                                             rules: Self.rules, watch: [], extra: "discover: {interval: 1s, via: auto}")
        let daemon = try harness.startDaemon(config: config)
        // They succeed once found: their cluster and node are at work until then, however slow the start.
        let found = await eventually(timeout: .seconds(20)) {
            daemon.stderr.contains("job_id=job-cluster") && daemon.stderr.contains("job_id=job-node")
        }
        #expect(found, "stderr: \(daemon.stderr)")
        try await harness.setPhase("job-cluster", "Success")
        try await harness.setPhase("job-node", "Success")
        let both = await eventually(timeout: .seconds(20)) {
            let alerts = Self.alerts(receiver)
            return alerts["job-cluster"] != nil && alerts["job-node"] != nil
        }
        try await Task.sleep(for: .milliseconds(1200))
        let listings = try await harness.listings()
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit() == 0)
        await harness.stop()
        #expect(both, "stderr: \(daemon.stderr)")
        #expect(listings["jobs"] == 1, "ListJobs is asked once, then clusters: \(listings)")
        #expect((listings["clusters"] ?? 0) >= 2)
        #expect(daemon.stderr.components(separatedBy: "listing clusters and nodes instead").count == 2, "logged once")
    }

    @Test func hostileListingsNeverStopThePollsOfWatchedJobs() async throws {
        let dir = try TempDirectory("jobhook-hostile")
        defer { dir.cleanUp() }
        let served = Mutex(0)
        let showJobs = Mutex(0)
        let running = #"{"kind":"Job","metadata":{"uid":"job-watched"},"spec":{"type":"CreateCluster"},"status":{"phase":"Running"}}"#
        let bodies: [Data] = [
            Self.manyJobs(50_000),
            Data((#"[{"metadata":{"uid":"job-big"},"spec":{"type":"CreateCluster"},"status":{"status":"Failed","reason":""#
                  + String(repeating: "x", count: 10 << 20) + #""}}]"#).utf8),
            Data(#"{"items": [{"metadata": {"uid": "job-x""#.utf8),
            Data(("[" + Array(repeating: #"{"metadata":{"uid":"job-dup"},"spec":{"type":"CreateCluster"},"status":{"status":"Running"}}"#,
                              count: 1000).joined(separator: ",") + "]").utf8),
        ]
        let cce = try LoopbackServer { request in
            if request.path.hasPrefix("/api/v2/projects/p1/jobs") {
                let n = served.withLock { $0 += 1; return $0 }
                return .respond(status: 200, headers: [HTTPHeader("Content-Type", "application/json")], body: bodies[(n - 1) % bodies.count])
            }
            if request.path.hasPrefix("/api/v3/projects/p1/jobs/") {
                showJobs.withLock { $0 += 1 }
                let id = String(request.path.split(separator: "/").last ?? "")
                return .json(running.replacingOccurrences(of: "job-watched", with: id))
            }
            return .status(404)
        }
        defer { cce.stop() }
        let config = try dir.write("rules.yaml", """
            cce: {region: cn-north-4, endpoint: \(cce.url("")), project_id: p1, auth: {token: t}}
            poll: {interval: 200ms, max_rps: 200}
            discover: {interval: 1s}
            watch: {jobs: [job-watched]}
            state: {path: \(dir.file("state.sqlite"))}
            server: {listen: "127.0.0.1:0"}
            """)
        let daemon = try ChildProcess(jobhookBinary(), ["run", "-c", config])
        let cycled = await eventually(timeout: .seconds(40)) { served.withLock { $0 } >= 2 * bodies.count }
        let polledBefore = showJobs.withLock { $0 }
        try await Task.sleep(for: .seconds(2))
        let polledAfter = showJobs.withLock { $0 }
        let peak = Self.peakRSSMegabytes(daemon.pid)
        daemon.signal(SIGTERM)
        let status = await daemon.waitForExit()
        #expect(cycled, "stderr: \(daemon.stderr.suffix(2000))")
        #expect(status == 0, "the daemon survived every listing: \(daemon.stderr.suffix(2000))")
        #expect(polledAfter > polledBefore + 5, "the watched job went on being polled")
        #expect(peak < 400, "peak RSS \(peak) MB")
        #expect(daemon.stderr.contains("listing failed"))
        print("hostile listings: peak RSS \(peak) MB")
    }

    @Test func jobsListsNewestFirstAndMarksTheWatchedOnes() async throws {
        let harness = try await Harness(scenario: """
            project_id: p1
            jobs:
              - id: job-first
                type: CreateCluster
                cluster_id: c-1
                resource_name: alpha
                timeline: [{after: 0s, phase: Running}]
              - id: job-second
                type: CreateNode
                cluster_id: c-2
                timeline: [{after: 1s, phase: Success}]
            """)
        try await Task.sleep(for: .milliseconds(1200))
        let config = try harness.writeConfig(receivers: "  []", rules: "  []", watch: ["job-first"])
        let daemon = try harness.startDaemon(config: config)
        _ = await daemon.waitForLine(containing: "HTTP API listening", in: .stderr, timeout: .seconds(20))
        try await Task.sleep(for: .milliseconds(500))
        let table = try await harness.run(["jobs", "-c", config])
        let running = try await harness.run(["jobs", "-c", config, "--running", "--json"])
        let cluster = try await harness.run(["jobs", "-c", config, "--cluster", "c-2", "--json"])
        daemon.signal(SIGTERM)
        _ = await daemon.waitForExit()
        await harness.stop()

        #expect(table.status == 0, "\(table.stderr)")
        let lines = table.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("ID") == true)
        #expect(lines.count == 3, "\(table.stdout)")
        guard lines.count == 3 else { return }
        #expect(lines[1].hasPrefix("job-second"), "newest first: \(table.stdout)")
        #expect(lines[2].hasPrefix("job-first") && lines[2].hasSuffix("watching"), "\(table.stdout)")
        #expect(lines[2].contains("alpha") && lines[2].contains("c-1") && lines[2].contains("Running"))
        let rows = running.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(rows.map { $0["id"] as? String } == ["job-first"])
        #expect(rows.first?["watch"] as? String == "watching")
        #expect(cluster.stdout.contains("job-second") && !cluster.stdout.contains("job-first"))
    }

    @Test func jobsExitsFourWhenCCERefusesTheListing() async throws {
        let harness = try await Harness(scenario: """
            project_id: p1
            list_jobs: forbidden
            jobs: []
            """)
        let config = try harness.writeConfig(receivers: "  []", rules: "  []", watch: [])
        let result = try await harness.run(["jobs", "-c", config])
        await harness.stop()
        #expect(result.status == 4)
        #expect(result.stderr.contains("ListJobs") && result.stderr.contains("cce:job:list"), "\(result.stderr)")
    }

    @Test func theDemoFindsItsNodeJobByListing() async throws {
        let demo = try ChildProcess(jobhookBinary(), ["demo"])
        let status = await demo.waitForExit(timeout: .seconds(60))
        #expect(status == 0, "\(demo.stdout)\n\(demo.stderr)")
        #expect(demo.stdout.contains("found job-create-node by listing the project"), "\(demo.stdout)")
        #expect(demo.stdout.contains("done: 3 jobs finished, 4 notifications delivered, 0 dead, 4 received."), "\(demo.stdout)")
    }

    @Test func theDemoWithPushFindsItsNodeJobThroughSMN() async throws {
        let demo = try ChildProcess(jobhookBinary(), ["demo", "--push"])
        let status = await demo.waitForExit(timeout: .seconds(60))
        #expect(status == 0, "\(demo.stdout)\n\(demo.stderr)")
        #expect(demo.stdout.contains("pushed by SMN: job-create-node"), "\(demo.stdout)")
        #expect(!demo.stdout.contains("by listing the project"), "\(demo.stdout)")
        #expect(demo.stdout.contains("done: 3 jobs finished, 4 notifications delivered, 0 dead, 4 received."), "\(demo.stdout)")
    }

    /// A V2Job listing of `count` finished jobs.
    static func manyJobs(_ count: Int) -> Data {
        var text = "{\"kind\":\"List\",\"items\":["
        for i in 0..<count {
            if i > 0 { text += "," }
            text += #"{"metadata":{"uid":"job-\#(i)","creationTimestamp":"2020-01-01 00:00:00.000000 +0000 UTC","updateTimestamp":"2020-01-01 00:00:00.000000 +0000 UTC"},"spec":{"type":"CreateCluster","clusteruid":"c-\#(i)"},"status":{"status":"Success"}}"#
        }
        return Data((text + "]}").utf8)
    }

    /// VmHWM of a process, in MB (0 when unreadable).
    static func peakRSSMegabytes(_ pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Int(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kb / 1024
    }
}
