import CCE
import CurlHTTP
import Foundation
import JobhookCore
import Synchronization
import TestSupport

/// A scripted `JobFetching` for pure scheduling tests: per job, a list of answers (the last repeats).
final class PollerScriptedFetcher: JobFetching {
    enum Answer: Sendable {
        case job(Job)
        case error(CCEError)
        /// Never answers until the poll is cancelled (to hold a concurrency slot).
        case hang
    }

    struct Request: Sendable {
        var jobID: String
        var at: Duration
    }

    private struct State {
        var scripts: [String: [Answer]] = [:]
        var requests: [Request] = []
        var inFlight = 0
        var maxInFlight = 0
    }

    private let state = Mutex(State())
    let clock: PollerTestClock

    init(clock: PollerTestClock, scripts: [String: [Answer]] = [:]) {
        self.clock = clock
        state.withLock { $0.scripts = scripts }
    }

    func script(_ jobID: String, _ answers: [Answer]) {
        state.withLock { $0.scripts[jobID] = answers }
    }

    var requests: [Request] { state.withLock { $0.requests } }
    var maxInFlight: Int { state.withLock { $0.maxInFlight } }
    func count(_ jobID: String) -> Int { requests.filter { $0.jobID == jobID }.count }

    func showJob(_ id: String) async throws(CCEError) -> Job {
        let now = clock.now.offset
        let answer = state.withLock { state -> Answer in
            state.requests.append(Request(jobID: id, at: now))
            state.inFlight += 1
            state.maxInFlight = max(state.maxInFlight, state.inFlight)
            guard var answers = state.scripts[id], !answers.isEmpty else {
                return .error(CCEError(.api(status: 404), jobID: id, code: "CCE.01404001", message: "not found"))
            }
            let first = answers.count > 1 ? answers.removeFirst() : answers[0]
            state.scripts[id] = answers
            return first
        }
        defer { state.withLock { $0.inFlight -= 1 } }
        switch answer {
        case .job(let job): return job
        case .error(let error): throw error
        case .hang:
            while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(5)) }
            throw CCEError(.transport(.cancelled), jobID: id, message: "cancelled")
        }
    }
}

/// A value shared between a test and the tasks it starts.
final class PollerBox<Value: Sendable>: Sendable {
    let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<R: Sendable>(_ body: (inout sending Value) -> sending R) -> R { mutex.withLock(body) }
    var value: Value { mutex.withLock { $0 } }
}

/// Collects a poller's events as they come, and records each at once (as the pipeline does after
/// a store commit), so the poller moves on to the next phases.
final class PollerEventLog: Sendable {
    private let box = PollerBox<[PollerEvent]>([])
    private let task: Task<Void, Never>

    init(_ poller: Poller, recording: Bool = true) {
        let box = box
        task = Task {
            for await event in poller.events {
                box.withLock { $0.append(event) }
                if recording { await poller.recorded(event) }
            }
        }
    }

    var events: [PollerEvent] { box.value }

    var changes: [PhaseChange] {
        events.flatMap { event -> [PhaseChange] in
            if case .changes(let changes, _) = event { return changes }
            return []
        }
    }

    deinit { task.cancel() }
}

extension Job {
    static func cluster(_ id: String, _ phase: String, master: String? = nil) -> Job {
        Job(uid: id, type: "CreateCluster", phase: phase,
            subJobs: master.map { [Job(uid: "\(id)-master", type: "InstallMaster", phase: $0)] } ?? [])
    }
}

/// Waits (in real time, bounded and scaled by `testTimeScale`) until `condition` holds, advancing the test clock by `step` between checks.
func pollerEventually(
    advancing clock: PollerTestClock? = nil, by step: Duration = .milliseconds(100),
    timeout: Duration = .seconds(10), _ condition: () -> Bool
) async -> Bool {
    let limit = ContinuousClock.now + timeout.scaledForTests
    while ContinuousClock.now < limit {
        if condition() { return true }
        clock?.advance(by: step)
        try? await Task.sleep(for: .milliseconds(2))
    }
    return condition()
}

/// Waits (real time, clock untouched) until the poller's own state says `condition`.
func pollerEventually(timeout: Duration = .seconds(10), _ condition: () async -> Bool) async -> Bool {
    let limit = ContinuousClock.now + timeout.scaledForTests
    while ContinuousClock.now < limit {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(2))
    }
    return await condition()
}

/// Advances the test clock by `total` in steps, giving the poller real time to react to each step.
func advanceClock(_ clock: PollerTestClock, by total: Duration, step: Duration = .milliseconds(100)) async {
    var moved = Duration.zero
    while moved < total {
        clock.advance(by: step)
        moved += step
        try? await Task.sleep(for: .milliseconds(2))
    }
}
