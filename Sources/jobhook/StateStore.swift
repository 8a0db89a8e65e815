import ArgumentParser
import CCE
import Foundation
import JobhookCore
import JobhookPostgres
import JobhookServer
import Logging

/// The one way a command opens the configured state store (`run`, `deliveries`, `demo`): on any
/// problem, the store's own explanation (it names the file and what to do) and exit 1 — never a
/// silent fresh start that would re-send everything.
/// - Parameters:
///   - mustExist: refuse a missing file instead of creating one (`deliveries`, where a new empty store
///     would only hide a wrong path or working directory).
///   - exclusive: the daemon's way (`run`, `demo`): hold the store's `StateLock`, so a second daemon on
///     the same file refuses to start, naming this one.
func openStore(at path: String, mustExist: Bool = false, exclusive: Bool = false) throws -> SQLiteStore {
    if mustExist, !FileManager.default.fileExists(atPath: path) {
        printError("jobhook: no state store at \(path) (check state.path in the config, or pass --state PATH)")
        throw ExitCode(1)
    }
    do {
        return try SQLiteStore(path: path, exclusive: exclusive)
    } catch {
        throw unusableStore(error)
    }
}

/// The daemon's store (`run`): PostgreSQL when the config has `state.postgres` — with what the
/// replicas sharing it need (`Daemon.Replication`) — else the SQLite file at `state.path`, held
/// exclusively. Exit 1 with the store's explanation when it cannot be used.
func openDaemonStore(_ state: StateSettings, logger: Logger) async throws -> (any DeliveryStore, Daemon.Replication?) {
    guard let postgres = state.postgres else { return (try openStore(at: state.path, exclusive: true), nil) }
    let store = try await openPostgresStore(postgres.url, logger: logger)
    return (store, Daemon.Replication(store: store, holder: replicaName(), term: ReplicaLease.Term(duration: postgres.lease)))
}

/// This replica's name in the lease: the host (the pod's name on Kubernetes), the pid and a random
/// suffix, so a restarted container with the same host and pid 1 is another holder.
func replicaName() -> String {
    let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
    return "\(ProcessInfo.processInfo.hostName)/\(getpid())/\(suffix)"
}

/// The PostgreSQL store at `url`, migrated; exit 1 with its explanation (password masked) when it
/// cannot be used.
func openPostgresStore(
    _ url: PostgresURL, logger: Logger = Logger(label: "jobhook.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
) async throws -> PostgresStore {
    do {
        return try await PostgresStore.open(url, logger: logger)
    } catch {
        throw unusableStore(error)
    }
}

/// Prints a store failure the way `openStore` does and gives its exit status, 1 (README: Commands),
/// for failures after opening, such as reading the watches at start-up.
func unusableStore(_ error: StoreError) -> ExitCode {
    printError("jobhook: \(error)")
    return ExitCode(1)
}

/// Builds what a command runs, turning start-up failures into the documented exit codes: 1 when the
/// state store cannot be used (reading the watches back, say), 2 for CCE settings or anything else
/// in the config. Messages go through `redactor`: a CCE error may quote an endpoint the config gave.
func startOrExit<T>(redactor: Redactor = Redactor(), _ start: () async throws -> T) async throws -> T {
    do {
        return try await start()
    } catch let error as StoreError {
        throw unusableStore(error)
    } catch let error as CCEError {
        printError(PrintableText.escape(redactor.text("jobhook: \(error)")))
        throw ExitCode(2)
    } catch {
        printError(PrintableText.escape(redactor.text("jobhook: cannot start: \(error)")))
        throw ExitCode(2)
    }
}
