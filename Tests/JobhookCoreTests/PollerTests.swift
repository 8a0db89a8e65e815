import CCE
import Foundation
import JobhookCore
import Logging
import Synchronization
import Testing

@Suite("Poller scheduling (fake fetcher, manual clock)")
struct PollerTests {
    let clock = PollerTestClock()
    let fetcher: PollerScriptedFetcher

    init() { fetcher = PollerScriptedFetcher(clock: clock) }

    func settings(
        interval: Duration = .seconds(10), concurrency: Int = 8, maxRPS: Double = 100,
        jobTimeout: Duration = .seconds(3600)
    ) -> Poller.Settings {
        Poller.Settings(interval: interval, concurrency: concurrency, maxRPS: maxRPS, jobTimeout: jobTimeout,
                        initialBackoff: .seconds(1), maxBackoff: .seconds(60), firstPollSpread: .milliseconds(500))
    }

    /// Starts a poller; the returned stop closure ends it and waits for `run()` to return.
    func start(_ settings: Poller.Settings, known: [String: String] = [:])
        -> (Poller, PollerEventLog, @Sendable () async -> Void)
    {
        let poller = Poller(fetcher: fetcher, settings: settings, clock: clock, random: { 0.5 },
                            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), knownPhases: known)
        let log = PollerEventLog(poller)
        let task = Task { await poller.run() }
        // The log records every report, as the pipeline does; it lives until the test stops the poller.
        return (poller, log, { task.cancel(); await task.value; withExtendedLifetime(log) {} })
    }

    @Test func firstPollReportsEveryPhaseFromEmptyThenOnlyChanges() async {
        fetcher.script("j1", [.job(.cluster("j1", "Running", master: "Running")),
                              .job(.cluster("j1", "Running", master: "Running")),
                              .job(.cluster("j1", "Running", master: "Success"))])
        let (poller, log, stop) = start(settings())
        await poller.watch("j1")
        #expect(await pollerEventually(advancing: clock) { log.changes.count == 3 })
        #expect(log.changes.map(\.from) == ["", "", "Running"])
        #expect(log.changes.map(\.uid) == ["j1", "j1-master", "j1-master"])
        await stop()
    }

    @Test func finishedJobIsReportedOnceAndNoLongerPolled() async {
        fetcher.script("j1", [.job(.cluster("j1", "Running", master: "Running")),
                              .job(.cluster("j1", "Success", master: "Success"))])
        let (poller, log, stop) = start(settings())
        await poller.watch("j1")
        #expect(await pollerEventually(advancing: clock) {
            log.events.contains { if case .finished = $0 { true } else { false } }
        })
        let polls = fetcher.count("j1")
        await advanceClock(clock, by: .seconds(60), step: .seconds(1))
        #expect(fetcher.count("j1") == polls)
        #expect(await poller.watchedJobs.isEmpty)
        #expect(await poller.knownPhases["j1"] == "Success")
        await stop()
    }

    @Test func successWithARunningSubJobKeepsPolling() async {
        fetcher.script("j1", [.job(.cluster("j1", "Success", master: "Running")),
                              .job(.cluster("j1", "Success", master: "Success"))])
        let (poller, log, stop) = start(settings())
        await poller.watch("j1")
        #expect(await pollerEventually(advancing: clock) { fetcher.count("j1") >= 2 })
        #expect(await pollerEventually { log.events.contains { if case .finished = $0 { true } else { false } } })
        await stop()
    }

    @Test func knownPhasesAreNotReportedAgainAfterARestart() async {
        fetcher.script("j1", [.job(.cluster("j1", "Running", master: "Success")),
                              .job(.cluster("j1", "Success", master: "Success"))])
        let (poller, log, stop) = start(settings(), known: ["j1": "Running", "j1-master": "Success"])
        await poller.watch("j1")
        #expect(await pollerEventually(advancing: clock) { log.changes.count == 1 })
        #expect(log.changes.first?.from == "Running")
        #expect(log.changes.first?.to == "Success")
        await stop()
    }

    @Test func watchIsIdempotent() async {
        fetcher.script("j1", [.job(.cluster("j1", "Running"))])
        let (poller, _, stop) = start(settings())
        #expect(await poller.watch("j1"))
        #expect(await !poller.watch("j1"))
        await advanceClock(clock, by: .seconds(1))
        #expect(fetcher.count("j1") == 1)
        #expect(await poller.watchedJobs == ["j1"])
        await stop()
    }

    @Test func transientFailuresAreReportedOncePerStreakAndPollingContinues() async {
        let fault = CCEError(.api(status: 503), jobID: "j1", message: "busy")
        fetcher.script("j1", [.error(fault), .error(fault), .error(fault),
                              .job(.cluster("j1", "Running")), .error(fault),
                              .job(.cluster("j1", "Success"))])
        let (poller, log, stop) = start(settings(interval: .seconds(1)))
        await poller.watch("j1")
        #expect(await pollerEventually(advancing: clock, by: .seconds(1)) {
            log.events.contains { if case .finished = $0 { true } else { false } }
        })
        let failures = log.events.filter { if case .failed = $0 { true } else { false } }
        #expect(failures.count == 2)  // one per streak, not one per retry
        #expect(log.changes.map(\.to) == ["Running", "Success"])
        await stop()
    }

    @Test func backoffGrowsExponentiallyAndIsCapped() async {
        let fault = CCEError(.decoding, jobID: "j1", message: "truncated JSON")
        fetcher.script("j1", [.error(fault)])
        let (poller, _, stop) = start(settings(interval: .seconds(1)))
        await poller.watch("j1")
        await advanceClock(clock, by: .seconds(200), step: .milliseconds(500))
        let times = fetcher.requests.map(\.at)
        let gaps = zip(times.dropFirst(), times).map { ($0 - $1) / .seconds(1) }
        #expect(gaps.count >= 4)
        // random 0.5 → each wait is halfway between 1 s and the doubling step: 1, 1.5, 2.5, 4.5… s (`Backoff`), capped at 60.
        #expect(gaps.prefix(4).enumerated().allSatisfy { i, gap in gap >= 1 + (pow(2, Double(i)) - 1) / 2 - 0.2 })
        #expect(gaps.allSatisfy { $0 <= 60.5 })
        await stop()
    }

    @Test func notFoundForAJobSeenBeforeIsExpiredOnceAndStopsPolling() async {
        fetcher.script("j1", [.job(.cluster("j1", "Running")),
                              .error(CCEError(.api(status: 404), jobID: "j1", message: "gone"))])
        let (poller, log, stop) = start(settings())
        await poller.watch("j1")
        #expect(await pollerEventually(advancing: clock) {
            log.events.contains { if case .expired = $0 { true } else { false } }
        })
        await advanceClock(clock, by: .seconds(60), step: .seconds(1))
        #expect(fetcher.count("j1") == 2)
        #expect(log.events.filter { if case .expired = $0 { true } else { false } }.count == 1)
        await stop()
    }

    @Test func notFoundForANeverSeenJobIsAFailureAndStopsPolling() async {
        let (poller, log, stop) = start(settings())
        await poller.watch("typo")
        #expect(await pollerEventually(advancing: clock) {
            log.events.contains { if case .failed(let id, let e) = $0 { id == "typo" && e.isNotFound } else { false } }
        })
        await advanceClock(clock, by: .seconds(60), step: .seconds(1))
        #expect(fetcher.count("typo") == 1)
        #expect(await poller.watchedJobs.isEmpty)
        await stop()
    }

    @Test func rejectedCredentialsStopEveryJobUntilResumed() async {
        let denied = CCEError(.api(status: 401), code: "APIGW.0301", message: "incorrect IAM authentication information")
        fetcher.script("a", [.error(denied), .job(.cluster("a", "Success"))])
        for id in ["b", "c"] { fetcher.script(id, [.job(.cluster(id, "Success"))]) }
        let (poller, log, stop) = start(settings(interval: .seconds(1), concurrency: 1, maxRPS: 1))
        for id in ["a", "b", "c"] { await poller.watch(id) }
        #expect(await pollerEventually(advancing: clock) {
            log.events.contains { if case .credentialsRejected = $0 { true } else { false } }
        })
        await advanceClock(clock, by: .seconds(120), step: .seconds(1))
        #expect(fetcher.requests.count == 1)  // never hammer: one 401, then silence
        await poller.resumeAfterCredentialsFixed()
        #expect(await pollerEventually(advancing: clock) {
            log.events.filter { if case .finished = $0 { true } else { false } }.count == 3
        })
        #expect(log.events.filter { if case .credentialsRejected = $0 { true } else { false } }.count == 1)
        await stop()
    }

    @Test func rejectedCredentialsResumeOnTheirOwnAfterTheCoolDown() async {
        let denied = CCEError(.api(status: 403), code: "CCE.01403001", message: "forbidden")
        fetcher.script("a", [.error(denied), .job(.cluster("a", "Success"))])
        let (poller, log, stop) = start(settings())
        await poller.watch("a")
        await advanceClock(clock, by: .seconds(299), step: .seconds(1))
        #expect(fetcher.count("a") == 1)
        #expect(await pollerEventually(advancing: clock, by: .seconds(1)) {
            log.events.contains { if case .finished = $0 { true } else { false } }
        })
        await stop()
    }

    @Test func throttlingPausesThePollsOfEveryJob() async {
        let throttled = CCEError(.api(status: 429), code: "APIGW.0308", message: "over ratelimit", retryAfter: .seconds(30))
        fetcher.script("a", [.error(throttled), .job(.cluster("a", "Running"))])
        fetcher.script("b", [.job(.cluster("b", "Running"))])
        let (poller, _, stop) = start(settings(interval: .seconds(5), concurrency: 1, maxRPS: 1))
        await poller.watch("a")
        #expect(await pollerEventually(advancing: clock, by: .milliseconds(50)) { fetcher.count("a") == 1 })
        // The answer is handled after the fetch returns: under load the clock must not move first.
        #expect(await pollerEventually { await poller.isThrottled })
        await poller.watch("b")
        await advanceClock(clock, by: .seconds(25), step: .seconds(1))
        #expect(fetcher.count("b") == 0)
        await advanceClock(clock, by: .seconds(10), step: .seconds(1))
        // Past the pause: the polls come, however slowly a loaded machine lets the poller run.
        #expect(await pollerEventually { fetcher.count("a") == 2 && fetcher.count("b") >= 1 })
        await stop()
    }

    @Test func jobThatDoesNotFinishInTimeIsTimedOut() async {
        fetcher.script("slow", [.job(.cluster("slow", "Running"))])
        let (poller, log, stop) = start(settings(interval: .seconds(10), jobTimeout: .seconds(45)))
        await poller.watch("slow")
        await advanceClock(clock, by: .seconds(46), step: .seconds(1))
        #expect(await pollerEventually { log.events.contains { if case .timedOut("slow") = $0 { true } else { false } } })
        let polls = fetcher.count("slow")
        await advanceClock(clock, by: .seconds(60), step: .seconds(1))
        #expect(fetcher.count("slow") == polls)
        await stop()
    }

    @Test func jobTimeoutCountsFromTheOriginalWatchTimeAfterARestart() async {
        fetcher.script("old", [.job(.cluster("old", "Running"))])
        let now = Date()
        let poller = Poller(fetcher: fetcher, settings: settings(interval: .seconds(5), jobTimeout: .seconds(60)),
                            clock: clock, random: { 0.5 }, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
                            wallClock: { now })
        let log = PollerEventLog(poller)
        let task = Task { await poller.run() }
        await poller.watch("old", since: now.addingTimeInterval(-50))
        await advanceClock(clock, by: .seconds(9), step: .seconds(1))
        #expect(!log.events.contains { if case .timedOut = $0 { true } else { false } })
        await advanceClock(clock, by: .seconds(2), step: .seconds(1))
        #expect(await pollerEventually { log.events.contains { if case .timedOut("old") = $0 { true } else { false } } })
        task.cancel()
        await task.value
    }

    @Test func unwatchedJobIsNoLongerPolled() async {
        fetcher.script("j1", [.job(.cluster("j1", "Running"))])
        let (poller, _, stop) = start(settings(interval: .seconds(1)))
        await poller.watch("j1")
        #expect(await pollerEventually(advancing: clock) { fetcher.count("j1") >= 2 })
        #expect(await poller.unwatch("j1"))
        let polls = fetcher.count("j1")
        await advanceClock(clock, by: .seconds(10), step: .milliseconds(500))
        #expect(fetcher.count("j1") == polls)
        #expect(await !poller.unwatch("j1"))
        await stop()
    }

    @Test func requestRateStaysUnderMaxRPS() async {
        for i in 0..<200 { fetcher.script("j\(i)", [.job(.cluster("j\(i)", "Running"))]) }
        let (poller, _, stop) = start(settings(interval: .seconds(1), concurrency: 50, maxRPS: 20))
        for i in 0..<200 { await poller.watch("j\(i)") }
        await advanceClock(clock, by: .seconds(10), step: .milliseconds(10))
        let window = fetcher.requests.filter { $0.at <= .seconds(10) }
        #expect(window.count <= 10 * 20 + 1)
        #expect(window.count >= 20)  // and it does poll
        await stop()
    }

    @Test func atMostConcurrencyRequestsAreInFlight() async {
        // One answered poll confirms the credentials; until then only one request is in flight.
        fetcher.script("first", [.job(.cluster("first", "Running"))])
        for i in 0..<20 { fetcher.script("j\(i)", [.hang]) }
        let (poller, _, stop) = start(settings(concurrency: 3, maxRPS: 1000))
        await poller.watch("first")
        await advanceClock(clock, by: .seconds(1), step: .milliseconds(50))
        for i in 0..<20 { await poller.watch("j\(i)") }
        await advanceClock(clock, by: .seconds(5), step: .milliseconds(50))
        #expect(fetcher.requests.filter { $0.jobID != "first" }.count == 3)
        #expect(fetcher.maxInFlight == 3)
        await stop()
    }

    @Test func untilCredentialsAreConfirmedOnlyOneRequestIsInFlight() async {
        for i in 0..<5 { fetcher.script("j\(i)", [.hang]) }
        let (poller, _, stop) = start(settings(concurrency: 4, maxRPS: 1000))
        for i in 0..<5 { await poller.watch("j\(i)") }
        await advanceClock(clock, by: .seconds(5), step: .milliseconds(50))
        #expect(fetcher.requests.count == 1, "bad credentials must cost one failed authentication, not one per slot")
        await stop()
    }

    @Test func jobsAddedTogetherDoNotPollInLockstep() async {
        let draws = PollerBox(0.0)
        // A long interval, so the second polls are seconds apart: many clock steps, which a poller
        // lagging behind the test clock on a busy machine cannot merge into one reading.
        let poller = Poller(fetcher: fetcher, settings: settings(interval: .seconds(100), maxRPS: 1000), clock: clock,
                            random: { draws.withLock { $0 = ($0 + 0.37).truncatingRemainder(dividingBy: 1); return $0 } },
                            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        for i in 0..<5 { fetcher.script("j\(i)", [.job(.cluster("j\(i)", "Running"))]) }
        let log = PollerEventLog(poller)  // records each report, as the pipeline does
        let task = Task { await poller.run() }
        for i in 0..<5 { await poller.watch("j\(i)") }
        // Step by step, letting the poller catch up with each reading (two hops through its
        // executor), so a busy machine cannot merge two due times into one request time.
        var moved = Duration.zero
        while moved < .seconds(105) {
            clock.advance(by: .milliseconds(200))
            moved += .milliseconds(200)
            _ = await poller.pollCount
            try? await Task.sleep(for: .milliseconds(2))
            _ = await poller.pollCount
        }
        let second = (0..<5).compactMap { i in fetcher.requests.filter { $0.jobID == "j\(i)" }.dropFirst().first?.at }
        #expect(second.count == 5)
        #expect(Set(second).count == 5)
        #expect(second.allSatisfy { $0 >= .seconds(90) && $0 <= .seconds(102) })
        task.cancel()
        await task.value
        withExtendedLifetime(log) {}
    }

    @Test func pollingPausesWhileTooManyReportsWaitToBeRecorded() async {
        let count = Poller.maxUnsettledReports + 100
        for i in 0..<count { fetcher.script("b\(i)", [.job(.cluster("b\(i)", "Running"))]) }
        let poller = Poller(fetcher: fetcher, settings: settings(maxRPS: 100_000), clock: clock, random: { 0.5 },
                            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let log = PollerEventLog(poller, recording: false)  // a store that never answers
        let task = Task { await poller.run() }
        await poller.watch(contentsOf: (0..<count).map { "b\($0)" })
        await advanceClock(clock, by: .seconds(2), step: .milliseconds(50))
        // The limit, plus at most the polls already in flight when it was reached.
        #expect(log.changes.count >= Poller.maxUnsettledReports)
        #expect(fetcher.requests.count <= Poller.maxUnsettledReports + 8)
        // Recording them lets the rest through.
        for event in log.events { await poller.recorded(event) }
        #expect(await pollerEventually(advancing: clock) { log.changes.count == count })
        task.cancel()
        await task.value
    }
}
