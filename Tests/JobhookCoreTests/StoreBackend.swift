import Foundation
import Synchronization
import JobhookCore
import JobhookPostgres
import TestSupport
import Testing

/// The state store implementations the store tests run against — the same tests for each
/// (`@Test(arguments: StoreBackend.allCases)`), never a mock: SQLite in a temporary file, PostgreSQL
/// in a fresh database of the process's throwaway cluster (`PostgresServer`).
enum StoreBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }
}

/// One test's store: fresh, reopenable (a restart), and removed by `cleanUp`.
final class StoreFixture: Sendable {
    let backend: StoreBackend
    /// The store the test works on.
    let store: any DeliveryStore
    private let directory: StoreDirectory?
    /// The PostgreSQL database (nil for SQLite).
    let database: (server: PostgresServer, name: String, url: PostgresURL)?
    private let opened: OpenedStores

    private init(backend: StoreBackend, store: any DeliveryStore, directory: StoreDirectory?,
                 database: (server: PostgresServer, name: String, url: PostgresURL)?, opened: OpenedStores) {
        self.backend = backend
        self.store = store
        self.directory = directory
        self.database = database
        self.opened = opened
    }

    /// A fresh, empty store of `backend`; `now` stamps watch and phase updates as in the stores.
    static func make(_ backend: StoreBackend, now: @escaping @Sendable () -> Date = Date.init) async throws -> StoreFixture {
        let opened = OpenedStores()
        switch backend {
        case .sqlite:
            let directory = try StoreDirectory()
            let store = try SQLiteStore(path: directory.storePath, now: now)
            return StoreFixture(backend: backend, store: store, directory: directory, database: nil, opened: opened)
        case .postgres:
            let server = try await PostgresServer.shared()
            let name = try await server.createDatabase()
            let url = try PostgresURL.parse(server.url(database: name)).get()
            let store = try await PostgresStore.open(url, now: now)
            opened.add(store)
            return StoreFixture(backend: backend, store: store, directory: nil, database: (server, name, url), opened: opened)
        }
    }

    /// Runs `body` with a fresh store of `backend`, cleaning up whatever happens.
    static func with<T>(_ backend: StoreBackend, now: @escaping @Sendable () -> Date = Date.init,
                        _ body: (StoreFixture) async throws -> T) async throws -> T {
        let fixture = try await make(backend, now: now)
        do {
            let result = try await body(fixture)
            await fixture.cleanUp()
            return result
        } catch {
            await fixture.cleanUp()
            throw error
        }
    }

    /// The same store opened again, as after a restart of the daemon.
    func reopen(now: @escaping @Sendable () -> Date = Date.init) async throws -> any DeliveryStore {
        if let directory { return try SQLiteStore(path: directory.storePath, now: now) }
        guard let database else { preconditionFailure("a fixture is SQLite or PostgreSQL") }
        let store = try await PostgresStore.open(database.url, now: now)
        opened.add(store)
        return store
    }

    /// Closes the PostgreSQL pools, drops the database, removes the SQLite directory.
    func cleanUp() async {
        for store in opened.all { await store.close() }
        if let database { await database.server.dropDatabase(database.name) }
        directory?.cleanUp()
    }
}

/// The PostgreSQL stores a fixture opened, to close them all at the end.
private final class OpenedStores: Sendable {
    private let stores = Mutex<[PostgresStore]>([])
    func add(_ store: PostgresStore) { stores.withLock { $0.append(store) } }
    var all: [PostgresStore] { stores.withLock { $0 } }
}
