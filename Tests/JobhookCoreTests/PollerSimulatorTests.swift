import CCE
import CurlHTTP
import Foundation
import JobhookCore
import JobhookSimulator
import Logging
import TestSupport
import Testing

/// The poller against the real simulator over loopback, with the real CurlClient and CCEClient.
@Suite("Poller against the CCE simulator")
struct PollerSimulatorTests {
    let http = CurlClient()
    let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    func client(_ sim: RunningSimulator, timeout: Duration = .seconds(2)) throws -> CCEClient {
        CCEClient(endpoint: try CCEEndpoint(url: sim.endpoint), projectID: "p123", http: http,
                  credentials: StaticToken(Secret("t")), timeout: timeout, logger: quiet)
    }

    func settings(interval: Duration = .milliseconds(50), maxRPS: Double = 200) -> Poller.Settings {
        Poller.Settings(interval: interval, concurrency: 8, maxRPS: maxRPS, jobTimeout: .seconds(60),
                        initialBackoff: .milliseconds(20), maxBackoff: .milliseconds(200),
                        firstPollSpread: .milliseconds(20))
    }

    func job(_ id: String, steps: [(Int, String, String)]) -> Scenario.ScriptedJob {
        .init(id: id, type: "CreateCluster", timeline: steps.map { ms, phase, sub in
            .init(after: .milliseconds(ms), phase: phase, subjobs: [.init(id: "\(id)-m", type: "InstallMaster", phase: sub)])
        })
    }

    func finished(_ log: PollerEventLog) -> [String] {
        log.events.compactMap { if case .finished(let id, _) = $0 { id } else { nil } }
    }

    @Test func survivesInjectedFaultsAndStillReportsTheFinalPhase() async throws {
        let scenario = Scenario(jobs: [job("j", steps: [(0, "Running", "Running"), (400, "Success", "Success")])], faults: [
            .init(job: "j", requests: [1, 2], status: 500),
            .init(job: "j", requests: [3], truncate: true),
            .init(job: "j", requests: [4], html: true),
            .init(job: "j", requests: [5], delay: .milliseconds(800)),
            .init(job: "j", requests: [6], status: 502),
        ])
        let sim = try await CCESimulator(scenario: scenario).start(logger: quiet)
        defer { Task { await sim.stop() } }
        let poller = Poller(fetcher: try client(sim, timeout: .milliseconds(300)), settings: settings(), logger: quiet)
        let log = PollerEventLog(poller)
        let run = Task { await poller.run() }
        defer { run.cancel() }
        await poller.watch("j")
        #expect(await pollerEventually(timeout: .seconds(15)) { finished(log) == ["j"] })
        #expect(log.changes.filter { $0.uid == "j" }.last?.to == "Success")
        #expect(log.changes.filter { $0.uid == "j-m" }.last?.to == "Success")
        let failures = log.events.filter { if case .failed = $0 { true } else { false } }
        #expect(failures.count >= 1)
        #expect(failures.count <= 2)  // once per streak, not per retry
    }

    /// Records the thread each poll starts and ends on; otherwise the real CCE client.
    struct ThreadRecordingFetcher: JobFetching {
        let client: CCEClient
        let threads = PollerBox<Set<UInt>>([])

        func showJob(_ id: String) async throws(CCEError) -> Job {
            threads.withLock { _ = $0.insert(UInt(pthread_self())) }
            defer { threads.withLock { _ = $0.insert(UInt(pthread_self())) } }
            return try await client.showJob(id)
        }
    }

    @Test func pollsRunOnTheHTTPClientsThread() async throws {
        let ids = (0..<10).map { "t\($0)" }
        let sim = try await CCESimulator(scenario: Scenario(jobs: ids.map { job($0, steps: [(0, "Running", "Running"), (300, "Success", "Success")]) })).start(logger: quiet)
        defer { Task { await sim.stop() } }
        let fetcher = ThreadRecordingFetcher(client: try client(sim))
        let curlThread = await Task(executorPreference: http.executor) { UInt(pthread_self()) }.value
        let poller = Poller(fetcher: fetcher, executor: http.executor, settings: settings(), logger: quiet)
        let log = PollerEventLog(poller)
        let run = Task { await poller.run() }
        defer { run.cancel() }
        for id in ids { await poller.watch(id) }
        #expect(await pollerEventually(timeout: .seconds(10)) { Set(finished(log)) == Set(ids) })
        // Before and after every request, on one thread: no hand-off between a poll and its answer.
        #expect(fetcher.threads.value == [curlThread])
    }

    @Test func terminalJobsAreNoLongerPolled() async throws {
        let scenario = Scenario(jobs: [job("a", steps: [(0, "Running", "Running"), (200, "Success", "Success")]),
                                       job("b", steps: [(0, "Running", "Running"), (200, "Failed", "Failed")])])
        let sim = try await CCESimulator(scenario: scenario).start(logger: quiet)
        defer { Task { await sim.stop() } }
        let poller = Poller(fetcher: try client(sim), settings: settings(), logger: quiet)
        let log = PollerEventLog(poller)
        let run = Task { await poller.run() }
        defer { run.cancel() }
        await poller.watch("a")
        await poller.watch("b")
        #expect(await pollerEventually(timeout: .seconds(10)) { Set(finished(log)) == ["a", "b"] })
        // Polled until their end is recorded (the log records each event as it comes), then never again.
        #expect(await eventually(timeout: .seconds(10)) { await poller.watchedJobs.isEmpty })
        try await Task.sleep(for: .milliseconds(100))  // an answer already in flight lands
        let served = await sim.simulator.stats().total
        try await Task.sleep(for: .milliseconds(500))  // ten intervals
        #expect(await sim.simulator.stats().total == served)
    }

    @Test func theRateCapHoldsAtTheSimulator() async throws {
        let ids = (0..<40).map { "r\($0)" }
        let sim = try await CCESimulator(scenario: Scenario(jobs: ids.map { job($0, steps: [(0, "Running", "Running")]) })).start(logger: quiet)
        defer { Task { await sim.stop() } }
        let poller = Poller(fetcher: try client(sim), settings: settings(interval: .milliseconds(10), maxRPS: 20), logger: quiet)
        let run = Task { await poller.run() }
        defer { run.cancel() }
        for id in ids { await poller.watch(id) }
        try await Task.sleep(for: .milliseconds(250))
        let start = await sim.simulator.stats().total
        let began = ContinuousClock.now
        try await Task.sleep(for: .seconds(2))
        let served = await sim.simulator.stats().total - start
        let elapsed = (ContinuousClock.now - began) / .seconds(1)
        #expect(Double(served) <= 20 * elapsed + 2)
        #expect(served >= 10)
    }

    @Test func aJobThatAgesOutIsReportedExpiredOnce() async throws {
        let sim = try await CCESimulator(scenario: Scenario(jobs: [job("old", steps: [(0, "Running", "Running")])])).start(logger: quiet)
        defer { Task { await sim.stop() } }
        let poller = Poller(fetcher: try client(sim), settings: settings(), logger: quiet)
        let log = PollerEventLog(poller)
        let run = Task { await poller.run() }
        defer { run.cancel() }
        await poller.watch("old")
        // Seen once, then CCE forgets it: every later request answers 404. Driven by request count,
        // not by a clock, so a slow first poll on a busy machine cannot turn this into "never seen".
        #expect(await pollerEventually(timeout: .seconds(10)) { !log.events.isEmpty })
        // Seen means recorded: the log hands each event back to the poller (`recorded`) after
        // storing it, and a 404 before that is a job never seen, not one that aged out (a quiet CI
        // run met that race).
        #expect(await eventually(timeout: .seconds(10)) { await poller.knownPhases["old"] != nil })
        let seen = await sim.simulator.stats().jobs["old"] ?? 0
        await sim.simulator.addFault(.init(job: "old", requests: Array(seen + 1...seen + 10_000), status: 404))
        #expect(await pollerEventually(timeout: .seconds(10)) {
            log.events.contains { if case .expired("old", let error) = $0 { error.isNotFound } else { false } }
        })
        let served = await sim.simulator.stats().total
        try await Task.sleep(for: .milliseconds(300))
        #expect(await sim.simulator.stats().total == served)
        #expect(log.events.filter { if case .expired = $0 { true } else { false } }.count == 1)
        #expect(await poller.watchedJobs.isEmpty)
    }
}
