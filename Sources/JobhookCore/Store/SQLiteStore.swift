public import Foundation
import GRDB

/// The production `DeliveryStore`: one SQLite file in WAL mode, so `jobhook deliveries` in another
/// process can read and re-drive the queue while the daemon writes (a busy timeout absorbs the brief
/// write locks). Opening refuses, with a `StoreError` the operator can act on, anything that would
/// otherwise mean a silent fresh start and a flood of repeated notifications.
public final class SQLiteStore: DeliveryStore, Sendable {
    /// The file, or `:memory:`.
    public let path: String
    let writer: any DatabaseWriter
    let now: @Sendable () -> Date
    /// Held for the store's life when opened `exclusive` (the daemon); nil for readers and `:memory:`.
    let lock: StateLock?

    /// How long a write waits for another process's lock before failing.
    public static let busyTimeout: TimeInterval = 5

    /// Opens (creating if missing, readable by its owner only: it holds stored requests with their
    /// tokens) and migrates the store at `path`.
    /// - Parameters:
    ///   - exclusive: take `StateLock` first and hold it while the store lives — the daemon's way, so
    ///     a second daemon on the same file refuses to start instead of sending everything twice.
    ///   - now: stamps watch and phase updates (`updated_at`); tests inject it.
    public init(path: String, exclusive: Bool = false, now: @escaping @Sendable () -> Date = Date.init) throws(StoreError) {
        self.path = path
        self.now = now
        do {
            try Self.refuseNonRegularFile(path)
            lock = exclusive ? try StateLock.acquire(storePath: path) : nil
            try Self.createPrivately(path)
            try Self.refuseForeign(path)
            let pool = try DatabasePool(path: path, configuration: Self.configuration())
            try Self.prepare(pool, path: path)
            // The checks before migrating opened a reader on the old schema; a statement it prepared
            // from that schema would miss the columns a migration added (`SELECT *`).
            pool.invalidateReadOnlyConnections()
            writer = pool
        } catch let error as StoreError {
            throw error
        } catch {
            throw Self.storeError(error, path: path)
        }
    }

    private init(queue: DatabaseQueue, now: @escaping @Sendable () -> Date) throws(StoreError) {
        path = ":memory:"
        self.now = now
        lock = nil
        do {
            try Self.prepare(queue, path: path)
        } catch let error as StoreError {
            throw error
        } catch {
            throw Self.storeError(error, path: path)
        }
        writer = queue
    }

    /// A store that lives as long as the process: for `jobhook watch` and `jobhook test`, which must
    /// not touch the daemon's file.
    public static func inMemory(now: @escaping @Sendable () -> Date = Date.init) throws(StoreError) -> SQLiteStore {
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(configuration: configuration())
        } catch {
            throw storeError(error, path: ":memory:")
        }
        return try SQLiteStore(queue: queue, now: now)
    }

    static func configuration() -> Configuration {
        var config = Configuration()
        config.busyMode = .timeout(busyTimeout)
        config.label = "jobhook-state"
        config.prepareDatabase { db in
            // In WAL mode NORMAL survives a killed process (the promise: at-least-once across
            // crashes); only an OS crash can lose the last commits, and it costs no fsync per write.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        return config
    }

    /// Checks integrity, refuses a newer schema, migrates, and proves the file is writable.
    private static func prepare(_ writer: any DatabaseWriter, path: String) throws {
        let migrator = migrator
        try writer.read { db in
            let check = try String.fetchOne(db, sql: "PRAGMA quick_check") ?? "ok"
            if check != "ok" {
                throw StoreError(.corrupt, path: path, message: corruptAdvice(path: path, detail: check))
            }
            if try migrator.hasBeenSuperseded(db) {
                let known = Set(migrator.migrations)
                let unknown = try migrator.appliedIdentifiers(db).subtracting(known).sorted()
                throw StoreError(.newerVersion, path: path, message: """
                    written by a newer jobhook (schema \(unknown.joined(separator: ", ")) is unknown to this \
                    build); upgrade jobhook or point state.path elsewhere
                    """)
            }
        }
        try migrator.migrate(writer)
        // A read-only file still opens and reads fine; find out now rather than at the first change.
        // The same write marks the file as ours (`refuseForeign`).
        try writer.write { db in
            try db.execute(sql: "PRAGMA user_version = 1")
            try db.execute(sql: "PRAGMA application_id = \(applicationID)")
        }
    }

    /// Reopens nothing: the pool closes when the store is released. Folds the WAL back into the main
    /// file so the file alone is a complete copy (backups, size measurements).
    public func checkpoint() throws(StoreError) {
        do {
            _ = try writer.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
        } catch {
            throw Self.storeError(error, path: path)
        }
    }
}
