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
        migrator.registerMigration("v2") { db in
            // Groups become explicit: `group_key` (`GroupKey.storageKey`) marks a `group_wait` group and
            // names the job, rule and receiver it gathers. v1 told groups apart by their `grp_` id.
            // The partial index holds only the groups that may still be open, by job.
            try db.execute(sql: """
                ALTER TABLE deliveries ADD COLUMN group_key TEXT;
                UPDATE deliveries SET group_key = json_array(job_id, rule, receiver) WHERE substr(id, 1, 4) = 'grp_';
                CREATE INDEX deliveries_open_groups ON deliveries (job_id, next_attempt_at)
                    WHERE group_key IS NOT NULL AND state = 'pending' AND attempts = 0;
                """)
        }
        migrator.registerMigration("v3") { db in
            // Discovery's baseline, once per account: before it, a listing's old finished jobs are
            // recorded silently (their phases go to `phases`, which also tells discovery they are known).
            try db.execute(sql: """
                CREATE TABLE discovery_baselines (
                    account TEXT PRIMARY KEY NOT NULL,
                    taken_at REAL NOT NULL
                );
                CREATE INDEX phases_by_job ON phases (job_id);
                """)
        }
        migrator.registerMigration("v4") { db in
            // Several CCE accounts in one daemon: each watch and each delivery names its account.
            // Everything before belonged to the one account, `default`.
            try db.execute(sql: """
                ALTER TABLE watches ADD COLUMN account TEXT NOT NULL DEFAULT 'default';
                ALTER TABLE deliveries ADD COLUMN account TEXT NOT NULL DEFAULT 'default';
                """)
        }
        migrator.registerMigration("v5") { db in
            // Silences (`jobhook silence`, `/v1/silences`): shared by every process on the store.
            // `matchers` is a JSON list of [key, value, is_regex].
            try db.execute(sql: """
                CREATE TABLE silences (
                    id TEXT PRIMARY KEY NOT NULL,
                    matchers TEXT NOT NULL,
                    starts_at REAL NOT NULL,
                    ends_at REAL NOT NULL,
                    created_by TEXT NOT NULL,
                    comment TEXT NOT NULL
                );
                CREATE INDEX silences_by_end ON silences (ends_at);
                """)
        }
        migrator.registerMigration("v6") { db in
            // SMN push intake: message IDs already acted on, so a message SMN sends again is
            // acknowledged and not acted on twice. Pruned past `intake.smn.max_age`.
            try db.execute(sql: """
                CREATE TABLE intake_messages (
                    message_id TEXT PRIMARY KEY NOT NULL,
                    received_at REAL NOT NULL
                );
                CREATE INDEX intake_messages_by_age ON intake_messages (received_at);
                """)
        }
        return migrator
    }
}
