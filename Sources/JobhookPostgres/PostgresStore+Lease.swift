public import JobhookCore
import Logging
import PostgresNIO
import Synchronization

/// The replicas' lease on the work, and the fence it puts on the work's writes.
///
/// One row (`replica_lease`, id 1) names the holder, its epoch and when the lease ends on the
/// server's clock. A replica takes it when it holds it already or when it ran out; the epoch grows
/// by one whenever the holder changes. Once this process was granted a lease, the writes only the
/// working replica makes — a poll's record, a discovery baseline, a delivery's outcome — carry a
/// check, evaluated by the server in the same statement or transaction: the row still names this
/// holder and epoch and has not run out. A replica that was paused past its lease and wakes up has
/// its late writes refused (`StoreError.Kind.fenced`) instead of overwriting the new holder's.
/// Writes any replica's API makes (watches, silences, re-drives) are not fenced.
extension PostgresStore: ReplicaLeaseStore {
    public func acquireLease(holder: String, for duration: Duration) async throws(StoreError) -> ReplicaLease.Grant? {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        let rows = try await rows("""
            INSERT INTO replica_lease AS l (id, holder, epoch, expires_at)
            VALUES (1, \(holder), 1, clock_timestamp() + make_interval(secs => \(seconds)))
            ON CONFLICT (id) DO UPDATE SET
                epoch = CASE WHEN l.holder = excluded.holder THEN l.epoch ELSE l.epoch + 1 END,
                holder = excluded.holder, expires_at = excluded.expires_at
            WHERE l.holder = excluded.holder OR l.expires_at <= clock_timestamp()
            RETURNING epoch
            """)
        guard let epoch = try decode(rows, { try $0.decode(Int64.self) }).first else { return nil }
        let granted = ReplicaLease.Grant(holder: holder, epoch: epoch)
        grant.withLock { $0 = granted }
        return granted
    }

    public func releaseLease(holder: String) async throws(StoreError) {
        _ = try await rows("UPDATE replica_lease SET expires_at = '-infinity' WHERE id = 1 AND holder = \(holder)")
    }

    /// The grant the work's writes are checked against; nil when this process never held a lease
    /// (commands, tests of the store alone): then nothing is fenced.
    var fence: ReplicaLease.Grant? { grant.withLock { $0 } }

    /// Refuses the transaction's writes unless this process's lease stands (first statement of a
    /// fenced transaction).
    static func checkFence(_ fence: ReplicaLease.Grant?, on connection: PostgresConnection, path: String, logger: Logger) async throws {
        guard let fence else { return }
        let rows = try await connection.query("""
            SELECT 1 FROM replica_lease
            WHERE id = 1 AND holder = \(fence.holder) AND epoch = \(fence.epoch) AND expires_at > clock_timestamp()
            """, logger: logger).collect()
        if rows.isEmpty { throw fenced(path: path) }
    }

    static func fenced(path: String) -> StoreError {
        StoreError(.fenced, path: path, message: "this replica's lease on the work ran out or moved to another replica; nothing was written")
    }
}
