import Foundation
import GRDB
import JobhookCore
import Testing

/// Start-up must refuse, with an actionable error, anything that would otherwise be a silent fresh
/// start (and so a repeat of every notification).
@Suite("SQLite state store: opening")
struct StoreOpeningTests {
    @Test func garbageFileIsReportedCorruptWithAdviceToMoveItAside() throws {
        let dir = try StoreDirectory()
        defer { dir.cleanUp() }
        try Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }).write(to: URL(fileURLWithPath: dir.storePath))
        let error = #expect(throws: StoreError.self) { try SQLiteStore(path: dir.storePath) }
        #expect(error?.kind == .corrupt)
        #expect(error?.description.contains(dir.storePath) == true)
        #expect(error?.description.contains("move it aside") == true)
    }

    @Test func damagedPagesAreReportedCorrupt() async throws {
        let dir = try StoreDirectory()
        defer { dir.cleanUp() }
        do {
            let store = try SQLiteStore(path: dir.storePath)
            try await store.record(StoreSamples.poll(deliveries: (0..<200).map { StoreSamples.delivery("e\($0)") }))
            try store.checkpoint()
        }
        // Keep the header (so it still looks like SQLite) and scribble over the pages behind it.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: dir.storePath))
        try handle.seek(toOffset: 4096 + 100)
        try handle.write(contentsOf: Data(repeating: 0xA5, count: 3 * 4096))
        try handle.close()
        let error = #expect(throws: StoreError.self) { try SQLiteStore(path: dir.storePath) }
        #expect(error?.kind == .corrupt)
    }

    /// Tests run as root, which chmod does not stop; a path below a regular file cannot be created by
    /// anyone, which is the same failure an operator meets with a missing or read-only directory.
    @Test func pathThatCannotBeCreatedIsReportedUnwritable() throws {
        let dir = try StoreDirectory()
        defer { dir.cleanUp() }
        let file = dir.url.appendingPathComponent("not-a-directory")
        try Data("x".utf8).write(to: file)
        let path = file.appendingPathComponent("state.sqlite").path
        let error = #expect(throws: StoreError.self) { try SQLiteStore(path: path) }
        #expect(error?.kind == .unwritable)
        #expect(error?.description.contains(path) == true)
    }

    @Test func directoryGivenAsTheStorePathIsReportedUnwritable() throws {
        let dir = try StoreDirectory()
        defer { dir.cleanUp() }
        let error = #expect(throws: StoreError.self) { try SQLiteStore(path: dir.url.path) }
        #expect(error?.kind == .unwritable)
        #expect(error?.message.contains("directory") == true)
    }

    @Test func storeWrittenByANewerJobhookIsRefused() throws {
        let dir = try StoreDirectory()
        defer { dir.cleanUp() }
        _ = try SQLiteStore(path: dir.storePath)
        let queue = try DatabaseQueue(path: dir.storePath)
        try queue.write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')")
        }
        try queue.close()
        let error = #expect(throws: StoreError.self) { try SQLiteStore(path: dir.storePath) }
        #expect(error?.kind == .newerVersion)
        #expect(error?.message.contains("newer jobhook") == true)
        #expect(error?.message.contains("state.path") == true)
    }

    @Test func twoProcessesWorthOfConnectionsShareTheFile() async throws {
        let dir = try StoreDirectory()
        defer { dir.cleanUp() }
        let daemon = try SQLiteStore(path: dir.storePath)
        try await daemon.record(StoreSamples.poll(deliveries: [StoreSamples.delivery("e1")]))
        // `jobhook deliveries retry` opens its own connection while the daemon keeps its own open.
        let cli = try SQLiteStore(path: dir.storePath)
        #expect(try await cli.drop("e1"))
        #expect(try await daemon.delivery("e1") == nil)
    }
}
