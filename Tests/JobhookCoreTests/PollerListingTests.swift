import CCE
import Foundation
import JobhookCore
import Synchronization
import Testing

/// Listings run under the poller's admission: the same credential gate, 429 pause and rate.
extension PollerTests {
    /// A listing that answers `answer`, counted.
    final class Listing: Sendable {
        let answer: Result<[Job], CCEError>
        let calls = Mutex(0)
        init(_ answer: Result<[Job], CCEError>) { self.answer = answer }
        func call() throws(CCEError) -> [Job] {
            calls.withLock { $0 += 1 }
            return try answer.get()
        }
    }

    func list(_ poller: Poller, _ listing: Listing) async -> Result<[Job], CCEError> {
        await poller.admitted { () throws(CCEError) in try listing.call() }
    }

    @Test func aListingRejectedWith401StopsThePollsLikeAPollWould() async {
        fetcher.script("a", [.job(.cluster("a", "Running"))])
        let (poller, log, stop) = start(settings(interval: .seconds(1)))
        let denied = Listing(.failure(CCEError(.api(status: 401), code: "APIGW.0301", message: "incorrect IAM authentication information")))
        let listed = Task { await list(poller, denied) }
        #expect(await pollerEventually(advancing: clock) { denied.calls.withLock { $0 } == 1 })
        _ = await listed.value
        await poller.watch("a")
        await advanceClock(clock, by: .seconds(60), step: .seconds(1))
        #expect(fetcher.count("a") == 0, "no poll may follow a rejected listing within the cool-down")
        #expect(log.events.filter { if case .credentialsRejected = $0 { true } else { false } }.count == 1)
        await stop()
    }

    @Test func aListingForbiddenWith403IsNotACredentialFailure() async {
        fetcher.script("a", [.job(.cluster("a", "Running"))])
        let (poller, log, stop) = start(settings(interval: .seconds(1)))
        let forbidden = Listing(.failure(CCEError(.api(status: 403), code: "CCE.01403001", message: "no permission to list jobs")))
        let listed = Task { await list(poller, forbidden) }
        #expect(await pollerEventually(advancing: clock) { forbidden.calls.withLock { $0 } == 1 })
        #expect(await listed.value.isFailure)
        await poller.watch("a")
        #expect(await pollerEventually(advancing: clock) { fetcher.count("a") >= 2 })
        #expect(!log.events.contains { if case .credentialsRejected = $0 { true } else { false } })
        await stop()
    }

    @Test func aThrottledListingPausesEveryPoll() async {
        fetcher.script("a", [.job(.cluster("a", "Running"))])
        let (poller, _, stop) = start(settings(interval: .seconds(1)))
        await poller.watch("a")
        #expect(await pollerEventually(advancing: clock) { fetcher.count("a") == 1 })
        let throttled = Listing(.failure(CCEError(.api(status: 429), code: "APIGW.0308", message: "over ratelimit", retryAfter: .seconds(30))))
        let listed = Task { await list(poller, throttled) }
        #expect(await pollerEventually(advancing: clock) { throttled.calls.withLock { $0 } == 1 })
        _ = await listed.value
        #expect(await pollerEventually { await poller.isThrottled })
        let before = fetcher.count("a")
        await advanceClock(clock, by: .seconds(25), step: .seconds(1))
        #expect(fetcher.count("a") <= before + 1, "at most the poll already admitted")
        await advanceClock(clock, by: .seconds(10), step: .seconds(1))
        #expect(await pollerEventually { fetcher.count("a") > before + 1 })
        await stop()
    }

    @Test func listingsSpendTheRequestBudgetOfPolls() async {
        let (poller, _, stop) = start(settings(interval: .seconds(1), maxRPS: 2))
        let ok = Listing(.success([]))
        let listings = Task { for _ in 0..<20 { _ = await list(poller, ok) } }
        await advanceClock(clock, by: .seconds(5), step: .milliseconds(50))
        #expect(ok.calls.withLock { $0 } <= 5 * 2 + 1)
        await stop()
        await listings.value
    }

    @Test func aStoppedPollerRefusesListings() async {
        let (poller, _, stop) = start(settings())
        await stop()
        let ok = Listing(.success([]))
        #expect(await list(poller, ok).isFailure)
        #expect(ok.calls.withLock { $0 } == 0)
    }
}

extension Result {
    var isFailure: Bool { if case .failure = self { true } else { false } }
}

extension PollerTests {
    @Test func aListingWaitingOutTheCoolDownGivesUpWhenCancelled() async {
        let (poller, _, stop) = start(settings(interval: .seconds(1)))
        let denied = Listing(.failure(CCEError(.api(status: 401), code: "APIGW.0301", message: "incorrect IAM authentication information")))
        _ = await Task { await list(poller, denied) }.value
        let ok = Listing(.success([]))
        let waiting = Task { await list(poller, ok) }
        await advanceClock(clock, by: .seconds(5), step: .seconds(1))
        waiting.cancel()
        #expect(await waiting.value.isFailure)
        #expect(ok.calls.withLock { $0 } == 0, "nothing was sent during the cool-down")
        await stop()
    }
}
