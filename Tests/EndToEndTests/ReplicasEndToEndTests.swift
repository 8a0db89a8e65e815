import CurlHTTP
import Foundation
import Synchronization
import Testing
import TestSupport

/// Two `jobhook run` replicas on one PostgreSQL database (SPEC § two replicas), as real processes
/// against the simulator: one works, the other stands by; killing, pausing or cutting off the
/// database loses nothing and sends nothing twice (but a send in flight at a kill, under its
/// webhook-id).
@Suite(.serialized) struct ReplicasEndToEndTests {
    /// `count` jobs that start Running and succeed one after another, `step` apart after `first`.
    static func scenario(jobs count: Int, first: Int = 300, step: Int = 150) -> String {
        var text = "project_id: p1\njobs:\n"
        for index in 0..<count {
            text += """
                  - id: job-\(index)
                    type: CreateCluster
                    resource_name: c\(index)
                    cluster_id: c-\(index)
                    timeline:
                      - {after: 0s, phase: Running}
                      - {after: \(first + index * step)ms, phase: Success}

                """
        }
        return text
    }

    /// A receiver that records the webhook-ids it accepted (answered 200), down (503) until `up`.
    final class Receiver: Sendable {
        /// What the handler shares with the test.
        final class State: Sendable {
            let accepted = Mutex<[(id: String, body: String)]>([])
            let up: Mutex<Bool>
            init(up: Bool) { self.up = Mutex(up) }
        }

        let server: LoopbackServer
        let state: State

        init(up: Bool, delay: Duration = .zero) throws {
            let state = State(up: up)
            self.state = state
            server = try LoopbackServer { request in
                guard state.up.withLock({ $0 }) else { return .status(503) }
                state.accepted.withLock { $0.append((request.header("webhook-id") ?? "", request.bodyText)) }
                return delay == .zero ? .status(200) : .delay(delay, then: .status(200))
            }
        }

        func setUp() { state.up.withLock { $0 = true } }
        var ids: [String] { state.accepted.withLock { $0.map(\.id) } }
        /// Jobs whose Success notification was accepted.
        var succeeded: Set<String> {
            Set(state.accepted.withLock { $0 }.filter { $0.body.contains("Success") }.compactMap { entry in
                entry.body.range(of: #"job-\d+"#, options: .regularExpression).map { String(entry.body[$0]) }
            })
        }
        /// Webhook-ids accepted more than once, and whether each repeat carried the same body.
        var repeats: [String: Int] {
            Dictionary(grouping: ids, by: { $0 }).compactMapValues { $0.count > 1 ? $0.count : nil }
        }
    }

    /// The harness's config with `state.postgres` in place of the SQLite file.
    static func config(_ harness: Harness, url: String, receiver: Receiver, jobs: Int, lease: String = "2s") throws -> String {
        let path = try harness.writeConfig(
            receivers: """
              - name: hook
                url: \(receiver.server.url("/hook"))
                retry: {max_attempts: 1000, initial_backoff: 100ms, max_backoff: 300ms, max_age: 10m}
            """,
            rules: """
              - name: job-phases
                match: {level: job}
                notify: [hook]
            """,
            watch: (0..<jobs).map { "job-\($0)" })
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try harness.dir.write("replicas.yaml", text.replacingOccurrences(
            of: "  path: \(harness.dir.file("state.sqlite"))", with: "  postgres: {url: \"\(url)\", lease: \(lease)}"))
    }

    static let works = "this replica now does the work"

    /// The API's base URL from the "HTTP API listening" line.
    static func api(_ replica: ChildProcess) async -> String? {
        guard let line = await replica.waitForLine(containing: "HTTP API listening", in: .stderr, timeout: .seconds(30)),
              let range = line.range(of: #"127\.0\.0\.1:\d+"#, options: .regularExpression) else { return nil }
        return "http://\(line[range])"
    }

    static func readyStatus(_ base: String) async -> Int {
        let http = CurlClient()
        defer { http.shutdown() }
        return (try? await http.send(HTTPRequest(url: base + "/readyz")))?.status ?? -1
    }

    @Test func killingTheWorkingReplicaMovesTheWorkWithin2LeasesAndLosesNothing() async throws {
        let server = try await PostgresServer.shared()
        let database = try await server.createDatabase()
        let jobs = 30
        // One job more than the config watches: it is added through the standby's API.
        let harness = try await Harness(scenario: Self.scenario(jobs: jobs + 1))
        let receiver = try Receiver(up: true)
        defer { receiver.server.stop() }
        let config = try Self.config(harness, url: server.url(database: database), receiver: receiver, jobs: jobs)

        let first = try harness.startDaemon(config: config)
        defer { first.signal(SIGKILL) }
        #expect(await first.waitForLine(containing: Self.works, in: .stderr, timeout: .seconds(30)) != nil, "\(first.stderr)")
        let second = try harness.startDaemon(config: config)
        defer { second.signal(SIGKILL) }
        let secondAPI = await Self.api(second)
        #expect(await second.waitForLine(containing: "stands by", in: .stderr, timeout: .seconds(30)) != nil, "\(second.stderr)")
        // The standby serves the whole API, and is ready; a watch added there is polled by the
        // replica that works.
        let standby = try #require(secondAPI)
        #expect(await Self.readyStatus(standby) == 200)
        let http = CurlClient()
        defer { http.shutdown() }
        let added = try await http.send(HTTPRequest(method: "POST", url: standby + "/v1/watches",
                                                    headers: [HTTPHeader("Content-Type", "application/json")],
                                                    body: Data(#"{"job_id": "job-\#(jobs)"}"#.utf8)))
        #expect(added.status == 201, "\(String(decoding: added.body, as: UTF8.self))")
        // Polled before the kill, so by the working replica (a standby polls nothing), not only by
        // whoever takes over later and reads the watches afresh.
        #expect(await eventually(timeout: .seconds(20), interval: .milliseconds(50)) {
            (try? await harness.served().jobs["job-\(jobs)"]).map { $0 >= 1 } ?? false
        }, "the working replica follows a watch added on the standby: \(first.stderr)")

        #expect(await eventually(timeout: .seconds(30)) { receiver.succeeded.count >= 3 }, "\(first.stderr)")
        #expect(!second.stderr.contains(Self.works), "one replica works at a time")
        let killed = ContinuousClock.now
        await first.kill9()
        #expect(await second.waitForLine(containing: Self.works, in: .stderr, timeout: .seconds(30)) != nil, "\(second.stderr)")
        let failover = ContinuousClock.now - killed
        #expect(failover <= .seconds(4).scaledForTests, "2 × lease: took \(failover)")

        #expect(await eventually(timeout: .seconds(60)) { receiver.succeeded.count == jobs + 1 },
                "missing: \(Set((0...jobs).map { "job-\($0)" }).subtracting(receiver.succeeded).sorted()) \(second.stderr)")
        try await Task.sleep(for: .seconds(1))
        // A repeat is a send in flight at the kill: at most the receiver's lane, under its webhook-id.
        #expect(receiver.repeats.values.reduce(0, +) <= 2 * 1, "repeated: \(receiver.repeats)")
        second.signal(SIGTERM)
        #expect(await second.waitForExit(timeout: .seconds(30)) == 0, "\(second.stderr)")
        #expect(second.stderr.contains("released the work lease"), "\(second.stderr)")
        await harness.stop()
        await server.dropDatabase(database)
    }

    /// Fencing: the working replica is paused (SIGSTOP) longer than its lease while its deliveries
    /// wait for a receiver that is down; the other takes over and sends them. Woken (SIGCONT), the
    /// first finds its lease over before its next request and sends nothing.
    @Test func aReplicaPausedPastItsLeaseSendsNothingWhenItWakes() async throws {
        let server = try await PostgresServer.shared()
        let database = try await server.createDatabase()
        let jobs = 12
        let harness = try await Harness(scenario: Self.scenario(jobs: jobs, first: 100, step: 50))
        // Slow once up: the new holder is still working through the queue when the first wakes.
        let receiver = try Receiver(up: false, delay: .milliseconds(150))
        defer { receiver.server.stop() }
        let config = try Self.config(harness, url: server.url(database: database), receiver: receiver, jobs: jobs)

        let first = try harness.startDaemon(config: config)
        defer { first.signal(SIGKILL) }
        #expect(await first.waitForLine(containing: Self.works, in: .stderr, timeout: .seconds(30)) != nil, "\(first.stderr)")
        let second = try harness.startDaemon(config: config)
        defer { second.signal(SIGKILL) }
        #expect(await second.waitForLine(containing: "stands by", in: .stderr, timeout: .seconds(30)) != nil, "\(second.stderr)")
        // Every job has finished and its notifications wait, retried against the down receiver.
        #expect(await eventually(timeout: .seconds(30)) { receiver.server.requests.count >= 10 }, "\(first.stderr)")
        try await Task.sleep(for: .seconds(1))

        first.signal(SIGSTOP)
        #expect(await second.waitForLine(containing: Self.works, in: .stderr, timeout: .seconds(30)) != nil, "\(second.stderr)")
        receiver.setUp()
        #expect(await eventually(timeout: .seconds(30)) { receiver.ids.count >= 2 })
        first.signal(SIGCONT)
        #expect(await first.waitForLine(containing: "another replica now does the work", in: .stderr, timeout: .seconds(30)) != nil,
                "\(first.stderr)")
        #expect(await eventually(timeout: .seconds(60)) { receiver.succeeded.count == jobs }, "\(second.stderr)")
        try await Task.sleep(for: .seconds(2))
        #expect(receiver.repeats.isEmpty, "sent twice: \(receiver.repeats)\n\(first.stderr)")
        #expect(first.isRunning && second.isRunning)
        await harness.stop()
        await server.dropDatabase(database)
    }

    /// The database goes away for longer than the lease and comes back: both replicas report
    /// 503 on /readyz meanwhile, recover on their own (no restart), and every change is delivered.
    @Test func bothReplicasRecoverFromADatabaseRestartAndLoseNothing() async throws {
        let server = try await PostgresServer.dedicated()
        let database = try await server.createDatabase()
        let jobs = 24
        let harness = try await Harness(scenario: Self.scenario(jobs: jobs, first: 300, step: 300))
        let receiver = try Receiver(up: true)
        defer { receiver.server.stop() }
        let config = try Self.config(harness, url: server.url(database: database), receiver: receiver, jobs: jobs)

        let first = try harness.startDaemon(config: config)
        defer { first.signal(SIGKILL) }
        let firstAPI = try #require(await Self.api(first), "\(first.stderr)")
        let second = try harness.startDaemon(config: config)
        defer { second.signal(SIGKILL) }
        let secondAPI = try #require(await Self.api(second), "\(second.stderr)")
        #expect(await eventually(timeout: .seconds(30)) { receiver.succeeded.count >= 2 })

        try await server.halt()
        #expect(await eventually(timeout: .seconds(20), interval: .milliseconds(200)) {
            let a = await Self.readyStatus(firstAPI), b = await Self.readyStatus(secondAPI)
            return a == 503 && b == 503
        }, "both report the outage")
        try await Task.sleep(for: .seconds(3))  // past the lease: the work pauses
        try await server.resume()
        #expect(await eventually(timeout: .seconds(60), interval: .milliseconds(200)) {
            let a = await Self.readyStatus(firstAPI), b = await Self.readyStatus(secondAPI)
            return a == 200 && b == 200
        }, "both recover by themselves\n\(first.stderr)\n\(second.stderr)")
        #expect(await eventually(timeout: .seconds(60)) { receiver.succeeded.count == jobs },
                "missing: \(Set((0..<jobs).map { "job-\($0)" }).subtracting(receiver.succeeded).sorted())\n\(first.stderr)\n\(second.stderr)")
        #expect(first.isRunning && second.isRunning, "no restart")
        #expect((first.stderr + second.stderr).contains("the state database is reachable again"))
        first.signal(SIGTERM)
        second.signal(SIGTERM)
        #expect(await first.waitForExit(timeout: .seconds(30)) == 0, "\(first.stderr)")
        #expect(await second.waitForExit(timeout: .seconds(30)) == 0, "\(second.stderr)")
        await harness.stop()
        await server.remove()
    }
}
