import Foundation
import GRDB
import JobhookCore
import Testing

/// Issue 16's bad-input sweep: a second daemon on one file, `/dev/null`, another application's
/// database and a world-readable file of tokens — each refused or prevented, never adopted.
@Suite("SQLite state store: one daemon, regular files, ours only, private")
struct StoreSafetyTests {
    @Test func aSecondExclusiveOpenIsRefusedNamingTheHolderAndTheLockDiesWithIt() throws {
        let dir = try StoreDirectory()
        defer { dir.cleanUp() }
        do {
            let first = try SQLiteStore(path: dir.storePath, exclusive: true)
            let error = #expect(throws: StoreError.self) { try SQLiteStore(path: dir.storePath, exclusive: true) }
            #expect(error?.kind == .inUse)
            #expect(error?.description.contains("jobhook pid \(getpid())") == true, "\(String(describing: error))")
            #expect(error?.description.contains("twice") == true)
            // Readers (`jobhook deliveries`) still open it beside the daemon.
            _ = try SQLiteStore(path: dir.storePath)
            withExtendedLifetime(first) {}
        }
        // Released with the store: the next daemon starts.
        _ = try SQLiteStore(path: dir.storePath, exclusive: true)
    }

    @Test func aDeviceIsRefusedAndNothingIsCreatedBesideIt() throws {
        let error = #expect(throws: StoreError.self) { try SQLiteStore(path: "/dev/null") }
        #expect(error?.kind == .foreign)
        #expect(error?.description.contains("a character device") == true, "\(String(describing: error))")
        #expect(!FileManager.default.fileExists(atPath: "/dev/null-journal"))
        #expect(!FileManager.default.fileExists(atPath: "/dev/null-wal"))
    }

    @Test func anotherApplicationsDatabaseIsRefusedAndLeftUntouched() throws {
        let dir = try StoreDirectory()
        defer { dir.cleanUp() }
        do {
            let queue = try DatabaseQueue(path: dir.storePath)
            try queue.write { db in try db.execute(sql: "CREATE TABLE users (name TEXT); INSERT INTO users VALUES ('ann')") }
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: dir.storePath))
        let error = #expect(throws: StoreError.self) { try SQLiteStore(path: dir.storePath) }
        #expect(error?.kind == .foreign)
        #expect(error?.description.contains("another application's SQLite database (tables: users)") == true, "\(String(describing: error))")
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.storePath)) == before)
    }

    @Test func aDatabaseMarkedByAnotherApplicationIsRefusedEvenWhenEmpty() throws {
        let dir = try StoreDirectory()
        defer { dir.cleanUp() }
        do {
            let queue = try DatabaseQueue(path: dir.storePath)
            try queue.write { db in try db.execute(sql: "PRAGMA application_id = 42") }
        }
        let error = #expect(throws: StoreError.self) { try SQLiteStore(path: dir.storePath) }
        #expect(error?.kind == .foreign)
        #expect(error?.description.contains("application_id 0x2a") == true, "\(String(describing: error))")
    }

    @Test func aStoreAnOlderJobhookWroteIsAdoptedAndMarked() async throws {
        let dir = try StoreDirectory()
        defer { dir.cleanUp() }
        do {
            let store = try SQLiteStore(path: dir.storePath)
            try await store.record(StoreSamples.poll(deliveries: [StoreSamples.delivery("e1")]))
        }
        do {  // what an older build left: no application_id
            let queue = try DatabaseQueue(path: dir.storePath)
            try await queue.write { db in try db.execute(sql: "PRAGMA application_id = 0") }
        }
        let store = try SQLiteStore(path: dir.storePath)
        #expect(try await store.pendingCount() == 1)
        let queue = try DatabaseQueue(path: dir.storePath)
        #expect(try await queue.read { db in try Int32.fetchOne(db, sql: "PRAGMA application_id") } == 0x6A6F_6268)
    }

    @Test func aNewStoreIsReadableByItsOwnerOnly() async throws {
        let dir = try StoreDirectory()
        defer { dir.cleanUp() }
        let store = try SQLiteStore(path: dir.storePath)
        try await store.record(StoreSamples.poll(deliveries: [StoreSamples.delivery("e1")]))
        for path in [dir.storePath, dir.storePath + "-wal"] {
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(path): \(String(mode ?? 0, radix: 8))")
        }
        withExtendedLifetime(store) {}
    }
}
