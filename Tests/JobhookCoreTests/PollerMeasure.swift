import CCE
import CurlHTTP
import Foundation
import JobhookCore
import JobhookSimulator
import Logging
import Testing
import TestSupport

/// Measurements for the issue notes, not assertions on speed: run with `JOBHOOK_MEASURE=1`.
@Suite("Poller measurements", .enabled(if: ProcessInfo.processInfo.environment["JOBHOOK_MEASURE"] != nil))
struct PollerMeasure {
    /// Answers at once with a small tree (two sub-jobs), so the time measured is the poller's own.
    struct InstantFetcher: JobFetching {
        func showJob(_ id: String) async throws(CCEError) -> Job {
            Job(uid: id, type: "CreateCluster", phase: "Running", subJobs: [
                Job(uid: id + "-a", type: "InstallMaster", phase: "Running"),
                Job(uid: id + "-b", type: "CreatePSMCert", phase: "Success"),
            ])
        }
    }

    @Test func pollerOverheadPerPollWith10000WatchedJobs() async throws {
        let poller = Poller(
            fetcher: InstantFetcher(),
            settings: .init(interval: .milliseconds(1), concurrency: 64, maxRPS: 1e9, jobTimeout: .seconds(3600),
                            firstPollSpread: .milliseconds(1)),
            logger: Logger(label: "m", factory: { _ in SwiftLogNoOpLogHandler() }))
        let drain = Task { var n = 0; for await event in poller.events { n += 1; await poller.recorded(event) }; return n }
        let run = Task { await poller.run() }
        let addStart = ContinuousClock.now
        await poller.watch(contentsOf: (0..<10_000).map { "job-\($0)" })
        let addTime = ContinuousClock.now - addStart
        try await Task.sleep(for: .seconds(1))  // first polls of all jobs
        // Every job now answers unchanged: each poll is fetch + diff + reschedule, no event.
        let before = await poller.pollCount
        let start = ContinuousClock.now
        try await Task.sleep(for: .seconds(3))
        let polls = await poller.pollCount - before
        let elapsed = ContinuousClock.now - start
        run.cancel()
        await run.value
        let events = await drain.value
        print("MEASURE watch() x10000: \(addTime); polls in \(elapsed): \(polls) → \(Double(polls) / (elapsed / .seconds(1))) polls/s, \((elapsed / .microseconds(1)) / Double(max(polls, 1))) µs/poll; events \(events)")
    }

    @Test func simulatorRequestsPerSecond() async throws {
        let ids = (0..<1000).map { "s\($0)" }
        let sim = try await CCESimulator(scenario: Scenario(jobs: ids.map {
            .init(id: $0, type: "CreateCluster", timeline: [.init(after: .zero, phase: "Running", subjobs: [
                .init(id: "\($0)-m", type: "InstallMaster", phase: "Running")])])
        })).start(logger: .silent)
        let http = CurlClient()
        let start = ContinuousClock.now
        let deadline = start + .seconds(3)
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<32 {
                group.addTask {
                    var i = worker
                    while ContinuousClock.now < deadline {
                        _ = try? await http.send(HTTPRequest(url: sim.endpoint + "/api/v3/projects/p/jobs/s\(i % 1000)"))
                        i += 32
                    }
                }
            }
        }
        let served = await sim.simulator.stats().total
        let elapsed = (ContinuousClock.now - start) / .seconds(1)
        print("MEASURE simulator: \(served) requests in \(elapsed) s → \(Double(served) / elapsed) req/s (client and server on the same 2 cores)")
        await sim.stop()
    }
}
