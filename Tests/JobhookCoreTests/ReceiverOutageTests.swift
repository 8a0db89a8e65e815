import CurlHTTP
import Foundation
import JobhookCore
import Synchronization
import Testing
import TestSupport

/// A receiver down as a whole: one probe at a time instead of every delivery's retries, other
/// receivers unaffected, and what it missed delivered in creation order once it is back
/// (issue 16's receiver-down chaos run: 2,176 attempts/s and order broken in 23,153 of 30,234 runs).
@Suite struct ReceiverOutageTests {
    let t0 = Date(timeIntervalSince1970: 1_700_000_000)
    let noBackoff: (Int) -> Duration = { _ in .seconds(7) }

    @Test func aReceiverWideFailureOpensAnOutageThatTheFirstAnswerCloses() {
        var outages = ReceiverOutages()
        let down = Outcome.classify(HTTPResponse(status: 503))
        #expect(down.meansReceiverDown)
        guard case .wentDown(let first) = outages.record("chat", outcome: down, retryAt: t0 + 2, now: t0, backoff: noBackoff) else {
            Issue.record("expected wentDown"); return
        }
        #expect(first.probeAt == t0 + 2)
        #expect(outages.isDown("chat") && !outages.isDown("other"))
        #expect(!outages.probeDue("chat", now: t0 + 1) && outages.probeDue("chat", now: t0 + 2))
        #expect(outages.nextProbe(after: t0) == t0 + 2)
        // The probe's delivery ran out of attempts: the next probe follows the receiver's backoff.
        guard case .stillDown(let second) = outages.record("chat", outcome: down, retryAt: nil, now: t0 + 2, backoff: noBackoff) else {
            Issue.record("expected stillDown"); return
        }
        #expect(second.probeAt == t0 + 9)
        #expect(second.failures == 2)
        // A 500 is the request's own failure: the receiver answered, so it is up.
        let own = Outcome.classify(HTTPResponse(status: 500))
        #expect(!own.meansReceiverDown)
        #expect(outages.record("chat", outcome: own, retryAt: t0 + 20, now: t0 + 9, backoff: noBackoff) == .recovered(second))
        #expect(outages.downReceivers.isEmpty)
        #expect(outages.record("chat", outcome: .delivered(status: 200), retryAt: nil, now: t0 + 10, backoff: noBackoff) == .none)
    }

    @Test(arguments: [HTTPError.Kind.connectionRefused, .timeout, .dns, .connectionLost])
    func noAnswerMeansTheReceiverIsDown(kind: HTTPError.Kind) {
        #expect(Outcome.classify(HTTPError(kind, "x")).meansReceiverDown)
    }

    @Test(arguments: [408, 429, 502, 503, 504])
    func statusesThatSpeakForTheWholeReceiver(status: Int) {
        #expect(Outcome.classify(HTTPResponse(status: status)).meansReceiverDown)
    }

    /// 30 deliveries to a receiver that answers 503 until it is switched back on, and 5 to a healthy
    /// one: while down, only probes reach it (one at a time, the oldest delivery); the healthy one
    /// gets everything at once; back up, the 30 arrive exactly in creation order.
    @Test(arguments: StoreBackend.allCases)
    func whileDownOneProbeAtATimeThenEverythingInCreationOrder(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            let up = Mutex(false)
            let down = try LoopbackServer { _ in up.withLock { $0 } ? .status(204) : .status(503) }
            defer { down.stop() }
            let healthy = try LoopbackServer { _ in .status(204) }
            defer { healthy.stop() }

            let store = fixture.store
            let created = Date()  // max_age counts from here
            func delivery(_ n: Int, _ receiver: String, _ url: String) -> Delivery {
                Delivery(id: String(format: "evt_%03d", n), receiver: receiver, rule: "r", jobID: "job-1", uid: "job-1",
                         transition: "Running → Failed", request: RenderedRequest(url: url, body: Data("{}".utf8)),
                         createdAt: created.addingTimeInterval(Double(n) / 1000))
            }
            let missed = (0..<30).map { delivery($0, "down", down.url("/hook")) }
            let others = (100..<105).map { delivery($0, "healthy", healthy.url("/hook")) }
            try await store.record(PollRecord(jobID: "job-1", tree: StoreSamples.tree(), phases: [:], deliveries: missed + others))

            let retry = RetrySettings(maxAttempts: 1_000, initialBackoff: .milliseconds(100), maxBackoff: .milliseconds(200), maxAge: .seconds(3600))
            let http = CurlClient()
            defer { http.shutdown() }
            let dispatcher = Dispatcher(store: store, http: http, targets: [
                DeliveryTarget(name: "down", retry: retry, maxInFlight: 1),  // one lane: arrival order is send order
                DeliveryTarget(name: "healthy", retry: retry, maxInFlight: 4),
            ], logger: .silent)
            let task = Task { try await dispatcher.run() }
            await dispatcher.wake()

            #expect(await eventually { healthy.requests.count == 5 })
            let outage = ContinuousClock.now
            try await Task.sleep(for: .seconds(2))
            let whileDown = down.requests.count
            let elapsed = (ContinuousClock.now - outage).seconds
            // Before: every pending delivery was tried on its own backoff (30 per 100–200 ms here). Now:
            // about one probe per backoff step, and the probe is always the oldest delivery.
            #expect(whileDown <= 1 + Int(elapsed / 0.1) + 2, "\(whileDown) attempts in \(elapsed) s")
            #expect(Set(down.requests.map { $0.header("webhook-id") }) == ["evt_000"], "probes are the oldest delivery")

            up.withLock { $0 = true }
            #expect(try await eventually(timeout: .seconds(15)) { try await store.pendingCount() == 0 })
            task.cancel()
            await dispatcher.drain(deadline: .seconds(1))

            // After the outage each delivery arrived once more, and in the order it was created: the
            // first success is the probe (the oldest), the rest follow in order.
            let delivered = down.requests.dropFirst(whileDown).compactMap { $0.header("webhook-id") }
            var seen: [String] = []
            for id in delivered where !seen.contains(id) { seen.append(id) }
            #expect(seen == missed.map(\.id), "\(delivered)")
        }
    }
}
