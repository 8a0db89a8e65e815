import CCE
import JobhookCore
import JobhookServer
import Testing

@Suite("Readiness per account")
struct ReadinessTests {
    let denied = PollerEvent.credentialsRejected(CCEError(.api(status: 401), code: "APIGW.0301", message: "bad token"))
    let answered = PollerEvent.finished(jobID: "j", tree: Job(uid: "j", phase: "Success"))

    @Test func aGoodAnswerInOneAccountDoesNotHideAnotherAccountsLockout() {
        let readiness = Readiness()
        readiness.observe(denied, account: "prod-sg")
        readiness.observe(answered, account: "prod-bj4")
        #expect(readiness.reason?.contains("account prod-sg") == true)
        readiness.observe(answered, account: "prod-sg")
        #expect(readiness.reason == nil)
    }

    @Test func theSingleAccountReasonNamesNoAccount() {
        let readiness = Readiness()
        readiness.observe(denied)
        #expect(readiness.reason?.hasPrefix("CCE rejected the credentials") == true)
    }
}
