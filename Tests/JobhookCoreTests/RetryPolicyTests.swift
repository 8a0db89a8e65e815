import CurlHTTP
import Foundation
import JobhookCore
import Testing

/// A seeded uniform source so backoff draws are reproducible.
struct SeededDraws {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> Double {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(state >> 11) / Double(1 << 53)
    }
}

@Suite struct RetryPolicyTests {
    let t0 = Date(timeIntervalSince1970: 1_700_000_000)
    let settings = RetrySettings(maxAttempts: 5, initialBackoff: .seconds(1), maxBackoff: .seconds(10), maxAge: .seconds(3600))

    @Test func backoffStaysBetweenInitialAndDoublingCap() {
        var draws = SeededDraws(seed: 42)
        for n in 1...8 {
            let cap = min(10.0, pow(2, Double(n - 1)))
            for _ in 0..<200 {
                let wait = settings.backoff(beforeRetry: n, random: { draws.next() }).seconds
                #expect(wait >= 1 && wait <= cap + 1e-9, "retry \(n): \(wait)s outside 1…\(cap)")
            }
        }
    }

    @Test func sameSeedGivesSameSchedule() {
        var a = SeededDraws(seed: 7), b = SeededDraws(seed: 7)
        let first = (1...6).map { settings.backoff(beforeRetry: $0, random: { a.next() }) }
        let second = (1...6).map { settings.backoff(beforeRetry: $0, random: { b.next() }) }
        #expect(first == second)
    }

    @Test func retryAfterIsAFloorEvenBeyondMaxBackoff() {
        let outcome = Outcome.retryable(reason: "HTTP 429", retryAfter: .seconds(120))
        let decision = settings.decide(outcome: outcome, attempts: 1, createdAt: t0, now: t0, random: { 0.5 })
        #expect(decision == .retry(at: t0.addingTimeInterval(120)))
    }

    @Test func maxAttemptsCountsTheFirstAttempt() {
        let outcome = Outcome.retryable(reason: "HTTP 503", retryAfter: nil)
        if case .retry = settings.decide(outcome: outcome, attempts: 4, createdAt: t0, now: t0, random: { 0 }) {} else {
            Issue.record("attempt 4 of 5 should retry")
        }
        guard case .dead(let reason) = settings.decide(outcome: outcome, attempts: 5, createdAt: t0, now: t0, random: { 0 }) else {
            Issue.record("attempt 5 of 5 should end the delivery"); return
        }
        #expect(reason.contains("HTTP 503") && reason.contains("5 attempts"))
    }

    @Test func retryAfterBeyondRemainingAgeEndsAtOnce() {
        let outcome = Outcome.retryable(reason: "HTTP 503", retryAfter: .seconds(7200))
        guard case .dead(let reason) = settings.decide(outcome: outcome, attempts: 1, createdAt: t0, now: t0, random: { 0 }) else {
            Issue.record("expected a dead letter"); return
        }
        #expect(reason.contains("Retry-After"))
    }

    @Test func maxAgeEndsRetries() {
        let outcome = Outcome.retryable(reason: "timeout", retryAfter: nil)
        let late = t0.addingTimeInterval(3599.5)
        guard case .dead = settings.decide(outcome: outcome, attempts: 2, createdAt: t0, now: late, random: { 1 }) else {
            Issue.record("expected max_age to end it"); return
        }
    }

    @Test func permanentOutcomeIsDeadAtOnce() {
        let decision = settings.decide(outcome: .permanent(reason: "HTTP 400"), attempts: 1, createdAt: t0, now: t0, random: { 0 })
        #expect(decision == .dead(reason: "HTTP 400"))
    }
}

@Suite struct OutcomeTests {
    @Test(arguments: [408, 425, 429, 500, 502, 503, 504])
    func retryableStatuses(status: Int) {
        guard case .retryable = Outcome.classify(HTTPResponse(status: status)) else {
            Issue.record("\(status) should be retried"); return
        }
    }

    @Test(arguments: [301, 302, 400, 401, 403, 404, 410, 422, 501])
    func permanentStatuses(status: Int) {
        guard case .permanent = Outcome.classify(HTTPResponse(status: status)) else {
            Issue.record("\(status) should not be retried"); return
        }
    }

    @Test(arguments: [200, 201, 202, 204])
    func successStatuses(status: Int) {
        #expect(Outcome.classify(HTTPResponse(status: status)) == .delivered(status: status))
    }

    @Test func retryAfterSecondsAndHTTPDate() {
        let now = Date(timeIntervalSince1970: 784_111_777) // Sun, 06 Nov 1994 08:49:37 GMT
        #expect(RetryAfter.parse("30", now: now) == .seconds(30))
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:50:37 GMT", now: now) == .seconds(60))
        #expect(RetryAfter.parse("soon", now: now) == nil)
        let response = HTTPResponse(status: 503, headers: [HTTPHeader("Retry-After", "2")])
        #expect(Outcome.classify(response, now: now) == .retryable(reason: "HTTP 503", retryAfter: .seconds(2), receiverDown: true))
    }

    @Test(arguments: [HTTPError.Kind.dns, .connectionRefused, .connectFailed, .timeout, .tls, .connectionLost])
    func transportFailuresAreRetried(kind: HTTPError.Kind) {
        guard case .retryable = Outcome.classify(HTTPError(kind, "x")) else { Issue.record("\(kind) should retry"); return }
    }

    @Test(arguments: [HTTPError.Kind.certificate, .invalidURL])
    func configurationFailuresAreNot(kind: HTTPError.Kind) {
        guard case .permanent = Outcome.classify(HTTPError(kind, "x")) else { Issue.record("\(kind) should not retry"); return }
    }
}
