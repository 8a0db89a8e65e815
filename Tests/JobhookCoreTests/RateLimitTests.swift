import CurlHTTP
import Foundation
@testable import JobhookCore
import Synchronization
import Testing
import TestSupport

/// `rate_limit` queues attempts instead of dropping them.
@Suite struct RateLimitTests {
    @Test func limiterAllowsCountPerWindowAndSaysWhenTheNextSlotFrees() {
        var limiter = RateLimiter()
        let t0 = Date(timeIntervalSince1970: 1000)
        let limit = [RateLimit(count: 2, per: .milliseconds(500))]
        #expect(limiter.acquire("a", limits: limit, now: t0) == nil)
        #expect(limiter.acquire("a", limits: limit, now: t0.addingTimeInterval(0.1)) == nil)
        #expect(limiter.acquire("a", limits: limit, now: t0.addingTimeInterval(0.2)) == t0.addingTimeInterval(0.5))
        // Another receiver has its own bucket.
        #expect(limiter.acquire("b", limits: limit, now: t0.addingTimeInterval(0.2)) == nil)
        #expect(limiter.acquire("a", limits: limit, now: t0.addingTimeInterval(0.5)) == nil)
        #expect(limiter.acquire("a", limits: limit, now: t0.addingTimeInterval(0.55)) == t0.addingTimeInterval(0.6))
    }

    @Test func everyLimitMustHaveRoom() {
        var limiter = RateLimiter()
        let t0 = Date(timeIntervalSince1970: 1000)
        let limits = [RateLimit(count: 5, per: .seconds(1)), RateLimit(count: 6, per: .seconds(60))]
        for i in 0..<5 { #expect(limiter.acquire("f", limits: limits, now: t0.addingTimeInterval(Double(i) * 0.01)) == nil) }
        #expect(limiter.acquire("f", limits: limits, now: t0.addingTimeInterval(0.5)) == t0.addingTimeInterval(1))
        #expect(limiter.acquire("f", limits: limits, now: t0.addingTimeInterval(1.5)) == nil)
        #expect(limiter.acquire("f", limits: limits, now: t0.addingTimeInterval(2.5)) == t0.addingTimeInterval(60))
    }

    @Test func presetsDefaultToTheVendorsLimitsAndRateLimitOverridesThem() throws {
        let url = try #require(WebhookURL("https://example.com/h"))
        #expect(Receiver(name: "d", preset: DingTalk(), url: url).deliveryTarget.rateLimits == [RateLimit(count: 20, per: .seconds(60))])
        #expect(Receiver(name: "w", preset: WeCom(), url: url).deliveryTarget.rateLimits == [RateLimit(count: 20, per: .seconds(60))])
        #expect(Receiver(name: "s", preset: Slack(), url: url).deliveryTarget.rateLimits == [RateLimit(count: 1, per: .seconds(1))])
        #expect(Receiver(name: "g", url: url).deliveryTarget.rateLimits.isEmpty)
        let custom = Receiver(name: "d", preset: DingTalk(), url: url, rateLimit: RateLimit(count: 2, per: .milliseconds(500)))
        #expect(custom.deliveryTarget.rateLimits == [RateLimit(count: 2, per: .milliseconds(500))])
    }

    @Test func dispatcherQueuesDeliveriesOverTheRateLimitAndSendsThemAllLater() async throws {
        let dir = try StoreDirectory()
        defer { dir.cleanUp() }
        let arrivals = Mutex<[ContinuousClock.Instant]>([])
        let server = try LoopbackServer { _ in
            arrivals.withLock { $0.append(ContinuousClock.now) }
            return .json(#"{"errcode":0,"errmsg":"ok"}"#)
        }
        defer { server.stop() }
        let store = try SQLiteStore(path: dir.storePath)
        let deliveries = (1...5).map { n in
            Delivery(id: "evt_\(n)", receiver: "ding", rule: "r", jobID: "job-1", uid: "job-1", transition: "t",
                     request: RenderedRequest(url: server.url("/robot/send?access_token=t"), body: Data(#"{"msgtype":"text"}"#.utf8)),
                     createdAt: Date())
        }
        try await store.record(PollRecord(jobID: "job-1", tree: StoreSamples.tree(), phases: [:], deliveries: deliveries))
        let url = try #require(WebhookURL(server.url("/robot/send?access_token=t")))
        let receiver = Receiver(name: "ding", preset: DingTalk(), url: url, rateLimit: RateLimit(count: 2, per: .milliseconds(500)))
        let http = CurlClient()
        defer { http.shutdown() }
        let dispatcher = Dispatcher(store: store, http: http, targets: [receiver.deliveryTarget], logger: .silent)
        let task = Task { try await dispatcher.run() }
        await dispatcher.wake()
        // Shortly after the start only the first two may have gone; the rest wait, still pending.
        try await Task.sleep(for: .milliseconds(250))
        #expect(server.requests.count <= 2)
        #expect(try await store.pendingCount() >= 3)
        let done = try await eventually(timeout: .seconds(5)) { try await store.pendingCount() == 0 }
        task.cancel()
        await dispatcher.drain(deadline: .seconds(1))
        #expect(done)
        #expect(try await store.deliveries(state: .delivered, limit: 10).count == 5)
        // 2 per 500 ms: five starts span at least two windows. Arrivals are stamped at the server, so
        // a late first arrival on a busy machine shortens the span; 250 ms of slack covers that.
        let times = arrivals.withLock { $0 }
        #expect(times.count == 5)
        if let first = times.first, let last = times.last {
            #expect(last - first >= .milliseconds(750))
        }
    }
}
