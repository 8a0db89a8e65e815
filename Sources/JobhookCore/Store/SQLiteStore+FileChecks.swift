import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What opening refuses before SQLite touches a path: SQLite would open `/dev/null` (and leave a
/// `/dev/null-journal` behind) or adopt any application's database as ours, then write into it.
extension SQLiteStore {
    /// `PRAGMA application_id` of a jobhook store: "jobh".
    static let applicationID: Int32 = 0x6A6F_6268

    /// A directory, device, FIFO or socket is not a place for a database; SQLite would say only
    /// "unable to open" or, worse, succeed.
    static func refuseNonRegularFile(_ path: String) throws {
        // Foundation's file type rather than stat(2): `struct stat`'s owning module varies with the
        // package graph, which member import visibility then trips over. Symlinks are followed first.
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        guard let type = (try? FileManager.default.attributesOfItem(atPath: target))?[.type] as? FileAttributeType else {
            return  // missing: created below
        }
        switch type {
        case .typeRegular:
            return
        case .typeDirectory:
            throw StoreError(.unwritable, path: path, message: "is a directory; state.path must name a file (for example \(path)/jobhook-state.sqlite)")
        default:
            let kind = switch type {
            case .typeCharacterSpecial: "a character device"
            case .typeBlockSpecial: "a block device"
            case .typeSocket: "a socket"
            default: "a FIFO or another special file"
            }
            throw StoreError(.foreign, path: path, message: "is \(kind), not a file; state.path must name a regular file jobhook may create and write")
        }
    }

    /// A new store is readable by its owner only: it keeps every pending request with its tokens.
    /// SQLite gives its -wal and -shm siblings the same mode. An existing file keeps its mode.
    static func createPrivately(_ path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if descriptor >= 0 { close(descriptor) }
        // EEXIST is the usual case; anything else (no directory, no permission) SQLite reports next,
        // with its own wording that `storeError` turns into advice.
    }

    /// Looks before the pool opens the file: opening switches it to WAL, which rewrites the header
    /// of somebody else's database. A read-only connection changes nothing.
    static func refuseForeign(_ path: String) throws {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.read { db in try refuseForeign(db, path: path) }
    }

    /// Adopts only an empty file, a file marked as ours, or one an older jobhook wrote (its
    /// migrations table names ours). Anything else is somebody else's data.
    static func refuseForeign(_ db: Database, path: String) throws {
        let id = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
        if id == applicationID { return }
        let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        if id == 0 {
            if tables.isEmpty { return }
            if tables.contains("grdb_migrations"), try migrator.appliedIdentifiers(db).contains("v1") { return }
        }
        let owner = id == 0 ? "" : "application_id 0x\(String(UInt32(bitPattern: id), radix: 16)), "
        let shown = tables.prefix(5).map(PrintableText.escape).joined(separator: ", ") + (tables.count > 5 ? ", …" : "")
        throw StoreError(.foreign, path: path, message: """
            is another application's SQLite database (\(owner)tables: \(shown)), not a jobhook state store; \
            jobhook will not write into it: point state.path at a new file
            """)
    }
}
