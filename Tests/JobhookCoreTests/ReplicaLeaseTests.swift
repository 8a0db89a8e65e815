import JobhookCore
import Testing

/// The lease's arithmetic and the role transitions, on a manual instant.
@Suite("Replica lease")
struct ReplicaLeaseTests {
    let term = ReplicaLease.Term(duration: .seconds(15))
    let t0 = ContinuousClock.now
    let grant = ReplicaLease.Grant(holder: "a", epoch: 3)

    @Test func theLocalDeadlineCountsFromTheRequestMinusAMargin() {
        let lease = ReplicaLease(grant: grant, requestSent: t0, term: term)
        #expect(lease.validUntil == t0 + .seconds(14))
        #expect(lease.isValid(at: t0 + .seconds(13)))
        #expect(!lease.isValid(at: t0 + .seconds(14)))
        #expect(term.renewEvery == .seconds(5))
        #expect(ReplicaLease.Term(duration: .seconds(2)).margin == .milliseconds(200))
    }

    @Test func anUnreachableDatabaseLetsTheLeaseRunOutOnItsOwnClock() {
        let active = ReplicaRole.standby.after(.granted(grant), sent: t0, term: term)
        #expect(active.lease(at: t0 + .seconds(1))?.grant == grant)
        let stillActive = active.after(.unreachable, sent: t0 + .seconds(5), term: term)
        #expect(stillActive == active, "the deadline stays where the last grant put it")
        #expect(stillActive.lease(at: t0 + .seconds(14)) == nil, "and passes without a renewal")
        #expect(active.after(.unreachable, sent: t0 + .seconds(20), term: term) == .standby)
    }

    @Test func anotherHolderOrStoppingEndsTheWork() {
        let active = ReplicaRole.standby.after(.granted(grant), sent: t0, term: term)
        #expect(active.after(.heldByAnother, sent: t0 + .seconds(5), term: term) == .standby)
        #expect(ReplicaRole.stopping.after(.granted(grant), sent: t0, term: term) == .stopping)
        #expect(ReplicaRole.stopping.lease(at: t0) == nil)
    }

    @Test func aRenewalMovesTheDeadlineFromItsOwnRequest() {
        let active = ReplicaRole.standby.after(.granted(grant), sent: t0, term: term)
        let renewed = active.after(.granted(grant), sent: t0 + .seconds(5), term: term)
        #expect(renewed.lease(at: t0 + .seconds(18))?.grant == grant)
        #expect(renewed.lease(at: t0 + .seconds(19)) == nil)
    }
}
