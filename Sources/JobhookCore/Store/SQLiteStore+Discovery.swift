public import Foundation
import GRDB

extension SQLiteStore {
    public func knownJobIDs() async throws(StoreError) -> Set<String> {
        try await read { db in
            var ids: Set<String> = []
            let rows = try String.fetchCursor(db, sql: "SELECT job_id FROM watches UNION SELECT DISTINCT job_id FROM phases")
            while let id = try rows.next() { ids.insert(id) }
            return ids
        }
    }

    public func discoveryBaseline(account: String) async throws(StoreError) -> Date? {
        try await read { db in
            try Double.fetchOne(db, sql: "SELECT taken_at FROM discovery_baselines WHERE account = ?", arguments: [account])
                .map(Date.init(timeIntervalSince1970:))
        }
    }

    public func recordBaseline(account: String, silent: [String: [String: String]], at: Date) async throws(StoreError) {
        let stamp = at.timeIntervalSince1970
        try await write { db in
            // A phase already known stays: the baseline only fills in jobs nothing recorded.
            let phase = try db.cachedStatement(sql: """
                INSERT INTO phases (uid, phase, job_id, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (uid) DO NOTHING
                """)
            for (jobID, phases) in silent {
                for (uid, value) in phases { try phase.execute(arguments: [uid, value, jobID, stamp]) }
            }
            try db.execute(sql: """
                INSERT INTO discovery_baselines (account, taken_at) VALUES (?, ?) ON CONFLICT (account) DO NOTHING
                """, arguments: [account, stamp])
        }
    }
}
