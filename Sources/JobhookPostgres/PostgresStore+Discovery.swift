public import Foundation
public import JobhookCore
import PostgresNIO

extension PostgresStore {
    public func knownJobIDs() async throws(StoreError) -> Set<String> {
        let rows = try await rows("SELECT job_id FROM watches UNION SELECT DISTINCT job_id FROM phases")
        return Set(try decode(rows) { try $0.decode(String.self) })
    }

    public func discoveryBaseline(account: String) async throws(StoreError) -> Date? {
        let rows = try await rows("SELECT taken_at FROM discovery_baselines WHERE account = \(account)")
        return try decode(rows) { try $0.decode(Double.self) }.first.map(Date.init(timeIntervalSince1970:))
    }

    /// One transaction: the silent jobs' phases (a phase already known stays) and the time.
    public func recordBaseline(account: String, silent: [String: [String: String]], at: Date) async throws(StoreError) {
        let stamp = at.timeIntervalSince1970
        var uids: [String] = [], phases: [String] = [], jobs: [String] = []
        for (jobID, byUID) in silent {
            for (uid, phase) in byUID {
                uids.append(uid)
                phases.append(phase)
                jobs.append(jobID)
            }
        }
        let logger = logger
        let fence = fence, path = path
        let (uidList, phaseList, jobList) = (uids, phases, jobs)
        try await transaction { connection in
            try await Self.checkFence(fence, on: connection, path: path, logger: logger)
            try await connection.run("""
                INSERT INTO phases (uid, phase, job_id, updated_at)
                SELECT u, p, j, \(stamp) FROM unnest(\(uidList)::text[], \(phaseList)::text[], \(jobList)::text[]) AS t(u, p, j)
                ON CONFLICT (uid) DO NOTHING
                """, logger: logger)
            try await connection.run("""
                INSERT INTO discovery_baselines (account, taken_at) VALUES (\(account), \(stamp)) ON CONFLICT (account) DO NOTHING
                """, logger: logger)
        }
    }
}
