import CCE
import CurlHTTP
import Foundation
@testable import JobhookCore
import Testing

/// When a poll may start, and what an answer means: pure, no clock, no poller.
@Suite("Poll admission and answer policy")
struct AdmissionTests {
    let settings = Poller.Settings(interval: .seconds(10), concurrency: 8, maxRPS: 10)

    @Test func oneRequestInFlightUntilTheCredentialsAreConfirmed() {
        var admission = Admission(settings: settings)
        let answer1 = admission.gate(now: .zero, inFlight: 0)
        #expect(answer1 == .start)
        let answer2 = admission.gate(now: .zero, inFlight: 1)
        #expect(answer2 == .wait(until: nil))
        admission.answered()
        let answer3 = admission.gate(now: .zero, inFlight: 7)
        #expect(answer3 == .start)
        let answer4 = admission.gate(now: .zero, inFlight: 8)
        #expect(answer4 == .wait(until: nil))
    }

    @Test func aRejectionStopsEveryPollForTheCoolDownAndIsReportedOnce() {
        var admission = Admission(settings: settings)
        admission.answered()
        let answer5 = admission.credentialsRejected(now: .seconds(1))
        #expect(answer5)
        let answer6 = admission.credentialsRejected(now: .seconds(2))
        #expect(!answer6)  // a poll already in flight
        let until = Duration.seconds(1) + settings.credentialsCoolDown
        let answer7 = admission.gate(now: .seconds(100), inFlight: 0)
        #expect(answer7 == .wait(until: until))
        let answer8 = admission.gate(now: until, inFlight: 0)
        #expect(answer8 == .start)
        let answer9 = admission.gate(now: until, inFlight: 1)
        #expect(answer9 == .wait(until: nil))  // unconfirmed again
    }

    @Test func fixingTheCredentialsLiftsTheStopAtOnce() {
        var admission = Admission(settings: settings)
        let answer10 = admission.credentialsFixed()
        #expect(!answer10)
        _ = admission.credentialsRejected(now: .zero)
        let answer11 = admission.credentialsFixed()
        #expect(answer11)
        let answer12 = admission.gate(now: .seconds(1), inFlight: 0)
        #expect(answer12 == .start)
    }

    @Test func throttlingPausesEveryoneHonoursRetryAfterAndHalvesTheRate() {
        var admission = Admission(settings: settings)
        let answer13 = admission.throttled(now: .seconds(1), retryAfter: .seconds(30))
        #expect(answer13 == .seconds(31))
        #expect(admission.rate == 5)
        let answer14 = admission.gate(now: .seconds(2), inFlight: 0)
        #expect(answer14 == .wait(until: .seconds(31)))
        let answer15 = admission.throttled(now: .seconds(2), retryAfter: nil)
        #expect(answer15 == .seconds(31))  // never shortened
        for _ in 0..<100 { admission.answered() }
        #expect(admission.rate == 10)  // recovers, never past max_rps
    }

    @Test func theRequestBudgetNeverExceedsTheRatePlusOneBurst() {
        var admission = Admission(settings: settings)
        var started = 0
        var now = Duration.zero
        while now < .seconds(10) {
            if case .start = admission.takeToken(now: now) { started += 1 } else { now += .milliseconds(1) }
        }
        let burst = max(1, settings.maxRPS * (settings.batchWindow / .seconds(1)))
        #expect(Double(started) <= settings.maxRPS * 10 + burst)
        #expect(Double(started) >= settings.maxRPS * 10 * 0.9)
    }

    @Test(arguments: [
        (CCEError(.api(status: 404), message: "gone"), "not_found"),
        (CCEError(.api(status: 401), message: "denied"), "auth"),
        (CCEError(.api(status: 403), message: "forbidden"), "auth"),
        (CCEError(.credentials, message: "no token"), "auth"),
        (CCEError(.api(status: 429), message: "slow down"), "throttled"),
        (CCEError(.api(status: 503), message: "unavailable"), "transient"),
        (CCEError(.decoding, message: "truncated"), "transient"),
        (CCEError(.transport(.timeout), message: "timeout"), "transient"),
        (CCEError(.transport(.cancelled), message: "cancelled"), "cancelled"),
        (CCEError(.api(status: 400), message: "bad request"), "refused"),
        (CCEError(.invalidJobID, jobID: "jöb", message: "'jöb' is not a CCE job ID"), "refused"),
    ])
    func eachAnswerMeansOneThing(error: CCEError, meaning: String) {
        let answer = PollAnswer(.failure(error))
        let name: String = switch answer {
        case .tree: "tree"
        case .cancelled: "cancelled"
        case .credentialsRejected: "auth"
        case .notFound: "not_found"
        case .throttled: "throttled"
        case .transient: "transient"
        case .refused: "refused"
        }
        #expect(name == meaning)
        // Only answers that passed the gateway confirm the credentials.
        #expect(answer.confirmsCredentials == (error.status.map { $0 < 500 && $0 != 401 && $0 != 403 } ?? false))
    }
}
