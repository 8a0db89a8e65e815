import CurlHTTP
import Foundation
import JobhookCore
import ServiceLifecycle
import ServiceLifecycleTestKit
import Synchronization
import Testing
import TestSupport

/// Graceful shutdown of the dispatcher, driven as a service group would (without signals).
@Suite struct DispatcherShutdownTests {
    let fast = RetrySettings(maxAttempts: 5, initialBackoff: .milliseconds(20), maxBackoff: .milliseconds(50), maxAge: .seconds(60))

    func delivery(_ id: String, url: String) -> Delivery {
        Delivery(
            id: id, receiver: "hook", rule: "r", jobID: "job-1", uid: "job-1", transition: "Running → Failed",
            request: RenderedRequest(method: "POST", url: url, body: Data(#"{"a":1}"#.utf8), contentType: "application/json"),
            createdAt: Date())
    }

    /// Runs the dispatcher under a graceful-shutdown trigger; once `inFlight` holds, triggers the
    /// shutdown, runs `afterTrigger`, and returns how long `run()` took to return after the trigger.
    func runAndShutDown(
        _ store: SQLiteStore, target: DeliveryTarget, drainDeadline: Duration,
        whenInFlight inFlight: @escaping () async throws -> Bool, afterTrigger: () async throws -> Void = {}
    ) async throws -> Duration {
        let http = CurlClient()
        defer { http.shutdown() }
        let dispatcher = Dispatcher(store: store, http: http, targets: [target], logger: .silent, drainDeadline: drainDeadline)
        return try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await dispatcher.run() }
                await dispatcher.wake()
                #expect(try await eventually(timeout: .seconds(10), inFlight))
                let clock = ContinuousClock()
                let start = clock.now
                trigger.triggerGracefulShutdown()
                try await afterTrigger()
                try await group.waitForAll()
                #expect(await dispatcher.inFlightCount == 0)
                return clock.now - start
            }
        }
    }

    @Test func gracefulShutdownLetsTheAttemptInFlightFinishAndStartsNoOther() async throws {
        let dir = try StoreDirectory()
        defer { dir.cleanUp() }
        // The receiver answers only once the test lets it: slow for as long as the test needs.
        let released = Mutex(false)
        let server = try LoopbackServer { _ in
            while !released.withLock({ $0 }) { Thread.sleep(forTimeInterval: 0.01) }
            return .status(200)
        }
        defer { released.withLock { $0 = true }; server.stop() }
        let store = try SQLiteStore(path: dir.storePath)
        try await store.record(PollRecord(jobID: "job-1", tree: StoreSamples.tree(), phases: [:], deliveries: [
            delivery("evt_first", url: server.url("/hook")), delivery("evt_second", url: server.url("/hook")),
        ]))
        let target = DeliveryTarget(name: "hook", timeout: .seconds(30), retry: fast, maxInFlight: 1)
        let took = try await runAndShutDown(store, target: target, drainDeadline: .seconds(20),
                                            whenInFlight: { server.requests.count == 1 }) {
            try await Task.sleep(for: .milliseconds(300)) // the stop is taken in, then the attempt ends
            released.withLock { $0 = true }
        }

        #expect(took < .seconds(10)) // run() ends with its last attempt, not at the deadline
        #expect(server.requests.count == 1)
        // `first`, not `[0]`: if nothing was sent, this fails instead of crashing the whole run.
        let sent = try #require(server.requests.first)
        let first = try #require(try await store.delivery(sent.header("webhook-id") ?? ""))
        #expect(first.state == .delivered)
        #expect(first.attempts == 1)
        let second = try #require(try await store.deliveries(state: .pending, limit: 10).first)
        #expect(second.attempts == 0)
    }

    @Test func anAttemptHangingPastTheDrainDeadlineIsCancelledAndStaysPendingUnchanged() async throws {
        let dir = try StoreDirectory()
        defer { dir.cleanUp() }
        let server = try LoopbackServer { _ in .delay(.seconds(60), then: .status(200)) }
        defer { server.stop() }
        let store = try SQLiteStore(path: dir.storePath)
        try await store.record(PollRecord(jobID: "job-1", tree: StoreSamples.tree(), phases: [:],
                                          deliveries: [delivery("evt_hang", url: server.url("/hook"))]))
        let target = DeliveryTarget(name: "hook", timeout: .seconds(60), retry: fast)
        let took = try await runAndShutDown(store, target: target, drainDeadline: .milliseconds(300),
                                            whenInFlight: { server.requests.count == 1 })

        #expect(took >= .milliseconds(300))
        #expect(took < .seconds(10))
        let stored = try #require(try await store.delivery("evt_hang"))
        #expect(stored.state == .pending)
        #expect(stored.attempts == 0)
        #expect(stored.lastError == nil)
        #expect(server.requests.count == 1)
    }
}
