import CurlHTTP
import Foundation
import JobhookCore
import Synchronization
import Testing
import TestSupport

/// The dispatcher against a real SQLite file and a real loopback receiver.
@Suite struct DispatcherTests {
    let fast = RetrySettings(maxAttempts: 5, initialBackoff: .milliseconds(20), maxBackoff: .milliseconds(50), maxAge: .seconds(60))

    func delivery(_ id: String, receiver: String, url: String) -> Delivery {
        Delivery(
            id: id, receiver: receiver, rule: "r", jobID: "job-1", uid: "job-1", transition: "Running → Failed",
            request: RenderedRequest(method: "POST", url: url, body: Data(#"{"a":1}"#.utf8), contentType: "application/json"),
            createdAt: Date())
    }

    /// Runs a dispatcher until `done` holds (bounded), then stops it.
    func run(_ store: SQLiteStore, targets: [DeliveryTarget], until done: @escaping () async throws -> Bool) async throws -> Bool {
        let http = CurlClient()
        defer { http.shutdown() }
        let dispatcher = Dispatcher(store: store, http: http, targets: targets, logger: .silent)
        let task = Task { try await dispatcher.run() }
        await dispatcher.wake()
        let ok = try await eventually(timeout: .seconds(15), done)
        task.cancel()
        await dispatcher.drain(deadline: .seconds(1))
        return ok
    }

    @Test func retriesServiceUnavailableWithSameWebhookIDAndHonoursRetryAfter() async throws {
        let dir = try StoreDirectory()
        defer { dir.cleanUp() }
        let calls = Mutex(0)
        let server = try LoopbackServer { _ in
            let n = calls.withLock { $0 += 1; return $0 }
            return n <= 3 ? .status(503, headers: [HTTPHeader("Retry-After", "1")]) : .status(200)
        }
        defer { server.stop() }
        let store = try SQLiteStore(path: dir.storePath)
        try await store.record(PollRecord(jobID: "job-1", tree: StoreSamples.tree(), phases: [:],
                                          deliveries: [delivery("evt_1", receiver: "hook", url: server.url("/hook"))]))
        let ok = try await run(store, targets: [DeliveryTarget(name: "hook", retry: fast)]) {
            try await store.delivery("evt_1")?.state == .delivered
        }
        #expect(ok)
        let requests = server.requests
        #expect(requests.count == 4)
        #expect(Set(requests.map { $0.header("webhook-id") }) == ["evt_1"])
        #expect(requests.allSatisfy { $0.header("User-Agent") == "jobhook/\(JobhookVersion.current)" })
        #expect(requests.allSatisfy { $0.header("webhook-timestamp").flatMap(Int.init) != nil })
        let stored = try await store.delivery("evt_1")
        #expect(stored?.attempts == 4)
        // Retry-After: 1 means no two attempts less than a second apart (three waits ≥ 3 s in all).
        let timestamps = requests.compactMap { $0.header("webhook-timestamp").flatMap(Int.init) }
        #expect(timestamps.last! - timestamps.first! >= 2)
    }

    @Test func badRequestIsNotRetriedAndEndsAsDeadLetter() async throws {
        let dir = try StoreDirectory()
        defer { dir.cleanUp() }
        let server = try LoopbackServer { _ in .json(#"{"error":"bad field"}"#, status: 400) }
        defer { server.stop() }
        let store = try SQLiteStore(path: dir.storePath)
        try await store.record(PollRecord(jobID: "job-1", tree: StoreSamples.tree(), phases: [:],
                                          deliveries: [delivery("evt_2", receiver: "hook", url: server.url("/x"))]))
        let ok = try await run(store, targets: [DeliveryTarget(name: "hook", retry: fast)]) {
            try await store.delivery("evt_2")?.state == .dead
        }
        #expect(ok)
        #expect(server.requests.count == 1)
        let dead = try await store.deliveries(state: .dead, limit: 10)
        #expect(dead.map(\.id) == ["evt_2"])
        #expect(dead.first?.lastError?.contains("HTTP 400") == true)
    }

    @Test func slowReceiverDoesNotBlockAnother() async throws {
        let dir = try StoreDirectory()
        defer { dir.cleanUp() }
        let slow = try LoopbackServer { _ in .delay(.seconds(30), then: .status(200)) }
        let quick = try LoopbackServer { _ in .status(204) }
        defer { slow.stop(); quick.stop() }
        let store = try SQLiteStore(path: dir.storePath)
        var deliveries = (0..<3).map { delivery("slow_\($0)", receiver: "slow", url: slow.url("/s")) }
        deliveries += (0..<5).map { delivery("quick_\($0)", receiver: "quick", url: quick.url("/q")) }
        try await store.record(PollRecord(jobID: "job-1", tree: StoreSamples.tree(), phases: [:], deliveries: deliveries))
        let targets = [
            DeliveryTarget(name: "slow", timeout: .seconds(30), retry: fast, maxInFlight: 1),
            DeliveryTarget(name: "quick", retry: fast),
        ]
        let ok = try await run(store, targets: targets) {
            try await store.deliveries(state: .delivered, limit: 100).count == 5
        }
        #expect(ok)
        #expect(quick.requests.count == 5)
        #expect(slow.requests.count == 1) // one slot, still busy
    }

    @Test func unknownReceiverIsDeadLettered() async throws {
        let dir = try StoreDirectory()
        defer { dir.cleanUp() }
        let store = try SQLiteStore(path: dir.storePath)
        try await store.record(PollRecord(jobID: "job-1", tree: StoreSamples.tree(), phases: [:],
                                          deliveries: [delivery("evt_3", receiver: "gone", url: "http://127.0.0.1:9/")]))
        let ok = try await run(store, targets: []) { try await store.delivery("evt_3")?.state == .dead }
        #expect(ok)
        #expect(try await store.delivery("evt_3")?.lastError?.contains("no longer configured") == true)
    }
}
