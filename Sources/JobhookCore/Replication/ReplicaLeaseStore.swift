/// The store's side of the replica lease (PostgreSQL): one row every replica competes for.
public protocol ReplicaLeaseStore: Sendable {
    /// Takes the lease for `holder`, or renews it, for `duration` on the database's clock: granted
    /// when `holder` has it or it ran out; nil when another replica holds it. The grant's epoch grows
    /// whenever the lease changes hands, and from then on the store refuses the work's writes (a
    /// poll's record, a delivery's outcome) made under an older epoch or after the lease ran out
    /// (`StoreError.Kind.fenced`).
    func acquireLease(holder: String, for duration: Duration) async throws(StoreError) -> ReplicaLease.Grant?
    /// Gives the lease up at once (a graceful shutdown), so another replica need not wait it out.
    func releaseLease(holder: String) async throws(StoreError)
}
