import CurlHTTP
import Foundation
import GRDB
@testable import JobhookCore
import Testing

/// A store written by an older jobhook upgrades in place.
@Suite struct StoreMigrationTests {
    /// The schema exactly as jobhook with only migration v1 wrote it, and GRDB's record of it.
    static let v1Schema = """
        CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
        INSERT INTO grdb_migrations (identifier) VALUES ('v1');
        CREATE TABLE watches (
            job_id TEXT PRIMARY KEY NOT NULL, source TEXT NOT NULL, state TEXT NOT NULL,
            added_at REAL NOT NULL, updated_at REAL, tree BLOB
        );
        CREATE TABLE phases (
            uid TEXT PRIMARY KEY NOT NULL, phase TEXT NOT NULL, job_id TEXT NOT NULL, updated_at REAL NOT NULL
        );
        CREATE TABLE deliveries (
            id TEXT PRIMARY KEY NOT NULL, receiver TEXT NOT NULL, rule TEXT NOT NULL, job_id TEXT NOT NULL,
            uid TEXT NOT NULL, transition TEXT NOT NULL, request BLOB NOT NULL, state TEXT NOT NULL,
            attempts INTEGER NOT NULL, created_at REAL NOT NULL, next_attempt_at REAL NOT NULL,
            last_error TEXT, finished_at REAL
        );
        CREATE INDEX deliveries_by_state_due ON deliveries (state, next_attempt_at);
        PRAGMA user_version = 1;
        """

    /// Writes a v1 store holding one ungrouped and one open grouped delivery (told apart by `grp_`).
    static func writeV1Store(at path: String, now: Date) throws -> RenderedRequest {
        let request = RenderedRequest(url: "https://example.com/h", headers: [HTTPHeader("X-A", "b")], body: Data(#"{"a":1}"#.utf8))
        let encoded = try JSONEncoder().encode(request)
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: v1Schema)
            for (id, due) in [("evt_old", now.addingTimeInterval(-5)), ("grp_old", now.addingTimeInterval(600))] {
                try db.execute(sql: """
                    INSERT INTO deliveries (id, receiver, rule, job_id, uid, transition, request, state, attempts,
                        created_at, next_attempt_at, last_error, finished_at)
                    VALUES (?, 'hook', 'failures', 'root-1', 'sub-1', 'Running → Failed', ?, 'pending', 0, ?, ?, NULL, NULL)
                    """, arguments: [id, encoded, now.addingTimeInterval(-10).timeIntervalSince1970, due.timeIntervalSince1970])
            }
        }
        try queue.close()
        return request
    }

    @Test func aV1StoreUpgradesInPlaceAndKeepsItsDeliveriesAndOpenGroups() async throws {
        let dir = try StoreDirectory()
        defer { dir.cleanUp() }
        let now = Date()
        let request = try Self.writeV1Store(at: dir.storePath, now: now)

        let store = try SQLiteStore(path: dir.storePath)
        let pending = try await store.deliveries(state: .pending, limit: 10)
        #expect(pending.map(\.id) == ["evt_old", "grp_old"])
        #expect(pending.allSatisfy { $0.request == request && $0.attempts == 0 && $0.jobID == "root-1" })
        let key = GroupKey(jobID: "root-1", rule: "failures", receiver: "hook")
        #expect(pending.map(\.group) == [nil, key])
        #expect(pending.allSatisfy { $0.account == "default" }, "v4: what came before belongs to the one account")
        #expect(try await store.openGroups(jobID: "root-1", now: now) == [key: "grp_old"])
        #expect(try await store.dueDeliveries(now: now, limit: 10, excluding: []).map(\.id) == ["evt_old"])

        // A change of the job arriving now joins the group the old build opened.
        let config = try ConfigFixtures.load(GroupingTests.genericYAML)
        let tree = GroupingTests.tree(failed: 2, rootPhase: "Running")
        let joined = try await GroupingTests.poll(store, tree, ["sub-2"], at: now, config: config)
        #expect(joined.map(\.id) == ["grp_old"])
        #expect(try await store.delivery("grp_old")?.uid == "sub-2")

        let queue = try DatabaseQueue(path: dir.storePath)
        let applied = try await queue.read { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier") }
        #expect(applied == ["v1", "v2", "v3", "v4", "v5", "v6"])
        try queue.close()
    }

    @Test func theOpenGroupLookupUsesItsIndex() async throws {
        let dir = try StoreDirectory()
        defer { dir.cleanUp() }
        _ = try SQLiteStore(path: dir.storePath)
        let queue = try DatabaseQueue(path: dir.storePath)
        defer { try? queue.close() }
        let lookups: [(String, StatementArguments)] = [
            ("SELECT id FROM deliveries WHERE job_id = ? AND group_key = ? AND", ["root-1", #"["root-1","r","hook"]"#, 0]),
            ("SELECT id FROM deliveries WHERE job_id = ? AND", ["root-1", 0]),
        ]
        for (select, arguments) in lookups {
            let plan = try await queue.read { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN \(select) \(SQLiteStore.openGroupCondition)", arguments: arguments)
                    .map { $0["detail"] as String }
            }
            #expect(plan.contains { $0.contains("deliveries_open_groups") }, "\(plan)")
        }
    }
}
