import Synchronization

/// Whether this replica may do the work right now: the one question every stage that makes a
/// request on the work's behalf asks just before it (the poller before a ShowJob, the dispatcher
/// before a webhook, discovery before a listing). On SQLite there is one daemon and the answer is
/// always yes (`alwaysActive`); on PostgreSQL `LeaseKeeper` sets the role as the lease comes and goes.
///
/// The answer is read from the monotonic clock against the lease's local deadline, which ends before
/// the database's (`ReplicaLease`): a replica that was paused (SIGSTOP, a long GC-like stall, a frozen
/// VM) and wakes up finds its lease over before its next request — before another replica can have
/// taken the work over — and stops.
public final class ReplicaGate: Sendable {
    /// One daemon per store (SQLite): always working, never asks a database.
    public static let alwaysActive = ReplicaGate(shared: false)

    /// False for `alwaysActive`: the store is not shared, nothing is elected.
    public let isShared: Bool
    private let role: Mutex<ReplicaRole>

    /// A gate for a replica sharing its store; it starts in standby until the lease is granted.
    public convenience init() { self.init(shared: true) }

    private init(shared: Bool) {
        isShared = shared
        role = Mutex(.standby)
    }

    /// True while work may go on: always on an unshared store, else while the lease is valid.
    public var mayWork: Bool {
        guard isShared else { return true }
        let now = ContinuousClock.now
        return role.withLock { $0.lease(at: now) != nil }
    }

    public var current: ReplicaRole { role.withLock { $0 } }

    /// Sets the role and returns the one it replaces.
    @discardableResult
    public func set(_ new: ReplicaRole) -> ReplicaRole {
        role.withLock { role in
            let old = role
            role = new
            return old
        }
    }
}
