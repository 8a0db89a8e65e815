import CCE
import Foundation
public import JobhookCore
import PostgresNIO

extension PostgresStore {
    /// Writes `contents` into this (migrated) database in one transaction, refusing unless it is
    /// empty: merging two stores' queues would send some notifications twice. Holds the migration
    /// lock meanwhile, so a daemon starting on the same database waits for the copy.
    public func importContents(_ contents: StoreContents) async throws(StoreError) {
        let logger = logger
        let path = path
        let requests = try PostgresRows.encodeRequests(contents.deliveries, path: path)
        try await transaction { connection in
            try await connection.run("SELECT pg_advisory_xact_lock(\(PostgresSchema.lockKey))", logger: logger)
            let existing = try await connection.query("""
                SELECT (SELECT count(*) FROM watches), (SELECT count(*) FROM phases), (SELECT count(*) FROM discovery_baselines),
                    (SELECT count(*) FROM deliveries), (SELECT count(*) FROM silences), (SELECT count(*) FROM intake_messages)
                """, logger: logger).collect().first?.decode((Int, Int, Int, Int, Int, Int).self)
            if let existing, existing != (0, 0, 0, 0, 0, 0) {
                throw StoreError(.foreign, path: path, message: """
                    is not empty (watches \(existing.0), phases \(existing.1), discovery baselines \(existing.2), \
                    deliveries \(existing.3), silences \(existing.4), intake messages \(existing.5)); copy only into an \
                    empty database — merging two stores would send notifications twice. Drop and recreate the \
                    database, or name another one
                    """)
            }
            for watch in contents.watches {
                try await connection.run("""
                    INSERT INTO watches (job_id, source, state, account, added_at, updated_at, tree)
                    VALUES (\(watch.jobID), \(watch.source), \(watch.state.rawValue), \(watch.account),
                        \(watch.addedAt.timeIntervalSince1970), \(watch.updatedAt?.timeIntervalSince1970), \(watch.tree?.encodedJSON()))
                    """, logger: logger)
            }
            // Phases can be many (every uid of every tree): a thousand per statement.
            for start in stride(from: 0, to: contents.phases.count, by: 1000) {
                let chunk = contents.phases[start..<min(start + 1000, contents.phases.count)]
                try await connection.run("""
                    INSERT INTO phases (uid, phase, job_id, updated_at)
                    SELECT * FROM unnest(\(chunk.map(\.uid))::text[], \(chunk.map(\.phase))::text[], \(chunk.map(\.jobID))::text[],
                        \(chunk.map(\.updatedAt.timeIntervalSince1970))::double precision[])
                    """, logger: logger)
            }
            for (account, takenAt) in contents.baselines {
                try await connection.run("""
                    INSERT INTO discovery_baselines (account, taken_at) VALUES (\(account), \(takenAt.timeIntervalSince1970))
                    """, logger: logger)
            }
            for (delivery, request) in zip(contents.deliveries, requests) {
                try await PostgresRows.insert(delivery, request: request, on: connection, logger: logger)
            }
            for silence in contents.silences {
                try await connection.run("""
                    INSERT INTO silences (id, matchers, starts_at, ends_at, created_by, comment)
                    VALUES (\(silence.id), \(SQLiteStore.encode(silence.matchers)), \(silence.startsAt.timeIntervalSince1970),
                        \(silence.endsAt.timeIntervalSince1970), \(silence.createdBy), \(silence.comment))
                    """, logger: logger)
            }
            let intake = contents.intakeMessages.sorted { $0.key < $1.key }
            for start in stride(from: 0, to: intake.count, by: 1000) {
                let chunk = intake[start..<min(start + 1000, intake.count)]
                try await connection.run("""
                    INSERT INTO intake_messages (message_id, received_at)
                    SELECT * FROM unnest(\(chunk.map(\.key))::text[], \(chunk.map(\.value.timeIntervalSince1970))::double precision[])
                    """, logger: logger)
            }
        }
    }
}
