import GRDB

extension SQLiteStore {
    /// Versioned schema changes. Never edit a shipped migration: add a new one, so a store written by
    /// an older jobhook upgrades in place and one written by a newer jobhook is recognised and refused.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE watches (
                    job_id TEXT PRIMARY KEY NOT NULL,
                    source TEXT NOT NULL,
                    state TEXT NOT NULL,
                    added_at REAL NOT NULL,
                    updated_at REAL,
                    tree BLOB
                );
                CREATE TABLE phases (
                    uid TEXT PRIMARY KEY NOT NULL,
                    phase TEXT NOT NULL,
                    job_id TEXT NOT NULL,
                    updated_at REAL NOT NULL
                );
                CREATE TABLE deliveries (
                    id TEXT PRIMARY KEY NOT NULL,
                    receiver TEXT NOT NULL,
                    rule TEXT NOT NULL,
                    job_id TEXT NOT NULL,
                    uid TEXT NOT NULL,
                    transition TEXT NOT NULL,
                    request BLOB NOT NULL,
                    state TEXT NOT NULL,
                    attempts INTEGER NOT NULL,
                    created_at REAL NOT NULL,
                    next_attempt_at REAL NOT NULL,
                    last_error TEXT,
                    finished_at REAL
                );
                CREATE INDEX deliveries_by_state_due ON deliveries (state, next_attempt_at);
                """)
        }
        return migrator
    }
}
