public import Foundation
import Synchronization

/// A throwaway PostgreSQL cluster for the tests of the PostgreSQL store: one per test process,
/// started on first use (`PostgresServer.shared()`), each test then creating its own database
/// (`createDatabase()`), so tests stay independent and can run in parallel.
///
/// - `initdb` in a fresh temporary directory, `trust` authentication, fsync off (the data is thrown
///   away); the server listens on a free port of 127.0.0.1 and keeps its unix socket inside that
///   directory, so it never meets a system PostgreSQL.
/// - PostgreSQL refuses to run as root: as root, the directory is given to the system user
///   `jobhook-pg` (created with `useradd --system` when missing) and the server runs as that user.
/// - At process exit (`atexit`) the server is stopped (`pg_ctl stop -m immediate`) and the directory
///   removed; a cluster left behind by a crashed run is stopped and removed by the next run.
/// - Every wait is bounded: a server not ready within 30 s is a clear failure, not a hang.
public final class PostgresServer: Sendable {
    public let host = "127.0.0.1"
    public let port: Int
    /// The superuser `initdb` created (trust authentication: no password).
    public let user = "postgres"
    let directory: URL
    let binaries: URL

    /// The one server of this process, started on first use; the same error for every caller when it
    /// cannot start. Waits without holding a thread of the concurrency pool (the start runs on a
    /// thread of its own): on two cores, blocked pool threads would stall every other test.
    public static func shared() async throws -> PostgresServer {
        try await started.value.get()
    }

    private static let started = Task<Result<PostgresServer, PostgresServerError>, Never> {
        await offThread {
            Result { () throws(PostgresServerError) in
                try PostgresServer.start()
            }
        }
    }

    /// Runs blocking work (processes, waits) on a new thread and awaits its result.
    static func offThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: body()) }.start()
        }
    }

    /// What `atexit` needs, reachable without capturing anything: every cluster this process started.
    private static let running = Mutex<[(directory: URL, binaries: URL)]>([])

    /// A cluster of the calling test's own (not `shared()`): for a test that stops and starts the
    /// server, which would fail every other test on the shared one. `remove()` it at the end (else
    /// it goes at process exit).
    /// - Parameter tls: serve TLS too, with a certificate for 127.0.0.1 signed by a throwaway CA
    ///   (`caFile`), for the `sslmode=require`/`verify-full` paths.
    public static func dedicated(tls: Bool = false) async throws -> PostgresServer {
        try await offThread { Result { () throws(PostgresServerError) in try PostgresServer.start(tls: tls) } }.get()
    }

    /// The CA that signed the server's certificate (`dedicated(tls: true)`), PEM.
    public var caFile: String { directory.appendingPathComponent("ca.pem").path }

    /// Stops the server (`pg_ctl stop -m fast`: connections are closed, as in a database restart).
    public func halt() async throws {
        let data = directory.appendingPathComponent("data").path
        let binaries = binaries
        let result = await Self.offThread {
            Result { () throws(PostgresServerError) in
                try Self.run(binaries.appendingPathComponent("pg_ctl"), ["-D", data, "-m", "fast", "-w", "-t", "30", "stop"],
                             asServerUser: true, timeout: 45)
            }
        }
        try Self.check(try result.get(), "pg_ctl stop")
    }

    /// Starts the halted server again on its port.
    public func resume() async throws {
        let directory = directory, binaries = binaries, port = port
        let result = await Self.offThread {
            Result { () throws(PostgresServerError) in try Self.pgCtlStart(directory: directory, binaries: binaries, port: port) }
        }
        try Self.check(try result.get(), "pg_ctl start")
    }

    /// Stops a `dedicated()` cluster and removes its directory.
    public func remove() async {
        let directory = directory, binaries = binaries
        await Self.offThread { Self.stop(directory: directory, binaries: binaries) }
        Self.running.withLock { $0.removeAll { $0.directory == directory } }
    }

    private init(port: Int, directory: URL, binaries: URL) {
        self.port = port
        self.directory = directory
        self.binaries = binaries
    }

    /// `postgres://postgres@127.0.0.1:PORT/DATABASE?sslmode=disable`.
    public func url(database: String) -> String {
        "postgres://\(user)@\(host):\(port)/\(database)?sslmode=disable"
    }

    /// A new, empty database with a random name (`t_…`), owned by the superuser.
    public func createDatabase() async throws -> String {
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        try await psql("CREATE DATABASE \(name)")
        return String(name)
    }

    /// The one role that logs in with a password (SCRAM-SHA-256): see `createPasswordDatabase`.
    public static let passwordUser = "jobhook_password"

    /// A new database owned by `passwordUser`, whose password becomes `password`: for the tests of
    /// what a real password does (and that it never shows).
    public func createPasswordDatabase(password: String) async throws -> String {
        try await psql("""
            DO $$ BEGIN CREATE ROLE \(Self.passwordUser) LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$
            """)
        try await psql("ALTER ROLE \(Self.passwordUser) PASSWORD '\(password.replacingOccurrences(of: "'", with: "''"))'")
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        try await psql("CREATE DATABASE \(name) OWNER \(Self.passwordUser)")
        return String(name)
    }

    /// Drops a database made by `createDatabase`, closing any connection still open to it.
    public func dropDatabase(_ name: String) async {
        try? await psql("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// Runs one statement as the superuser through `psql`.
    public func psql(_ sql: String, database: String = "postgres") async throws {
        let result = await Self.offThread { [self] in Result { () throws(PostgresServerError) in try runPSQL(sql, database: database) } }
        try result.get()
    }

    private func runPSQL(_ sql: String, database: String) throws(PostgresServerError) {
        let result = try Self.run(binaries.appendingPathComponent("psql"), [
            "-h", host, "-p", String(port), "-U", user, "-d", database, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql,
        ], asServerUser: false, timeout: 30)
        guard result.status == 0 else { throw PostgresServerError("psql \(sql) failed (\(result.status)): \(result.output)") }
    }

    // MARK: - Starting and stopping

    static let osUser = "jobhook-pg"
    static let prefix = "jobhook-pg-"
    static var isRoot: Bool { geteuid() == 0 }
    /// Not `$TMPDIR`: the server user must be able to reach it, and the socket path must stay short.
    static let temporary = URL(fileURLWithPath: "/tmp")

    private static func start(tls: Bool = false) throws(PostgresServerError) -> PostgresServer {
        let binaries = try findBinaries()
        removeStaleClusters(binaries: binaries)
        let directory = temporary.appendingPathComponent("\(prefix)\(getpid())-\(UUID().uuidString.prefix(8))")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw PostgresServerError("cannot create \(directory.path): \(error)")
        }
        if isRoot {
            try ensureOSUser()
            try check(run(URL(fileURLWithPath: "/bin/chown"), ["-R", osUser, directory.path], asServerUser: false, timeout: 30), "chown")
        }
        let data = directory.appendingPathComponent("data").path
        try check(run(binaries.appendingPathComponent("initdb"), [
            "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions",
        ], asServerUser: true, timeout: 60), "initdb")
        // One role must give its password (SCRAM), so the password paths are tested for real; pg_hba
        // takes the first matching line.
        let hba = directory.appendingPathComponent("data/pg_hba.conf").path
        do {
            let rules = try String(contentsOfFile: hba, encoding: .utf8)
            try ("host all \(passwordUser) 127.0.0.1/32 scram-sha-256\n" + rules).write(toFile: hba, atomically: false, encoding: .utf8)
        } catch {
            throw PostgresServerError("cannot edit \(hba): \(error)")
        }
        if tls { try makeCertificates(in: directory) }
        // A port found free may be taken before the server binds it: try a few.
        var lastFailure = ""
        for _ in 0..<3 {
            let port = try freePort()
            let result = try pgCtlStart(directory: directory, binaries: binaries, port: port)
            if result.status == 0 {
                let first = running.withLock { running in
                    running.append((directory, binaries))
                    return running.count == 1
                }
                if first { atexit { PostgresServer.stopAtExit() } }
                return PostgresServer(port: port, directory: directory, binaries: binaries)
            }
            let log = (try? String(contentsOf: directory.appendingPathComponent("server.log"), encoding: .utf8)) ?? ""
            lastFailure = "pg_ctl start (\(result.status)): \(result.output)\n\(log.suffix(2000))"
            // A server that started after all must not outlive this attempt.
            _ = try? run(binaries.appendingPathComponent("pg_ctl"), ["-D", data, "-m", "immediate", "-w", "-t", "10", "stop"],
                         asServerUser: true, timeout: 15)
        }
        stop(directory: directory, binaries: binaries)
        throw PostgresServerError("the test PostgreSQL server did not start within 30 s: \(lastFailure)")
    }

    /// A CA and a server certificate for 127.0.0.1 it signed (openssl), and `ssl = on` in the
    /// cluster's configuration; the key is the server user's, mode 0600, as PostgreSQL demands.
    private static func makeCertificates(in directory: URL) throws(PostgresServerError) {
        let openssl = URL(fileURLWithPath: "/usr/bin/openssl")
        func file(_ name: String) -> String { directory.appendingPathComponent(name).path }
        do {
            try "subjectAltName=IP:127.0.0.1\n".write(toFile: file("san.ext"), atomically: false, encoding: .utf8)
        } catch {
            throw PostgresServerError("cannot write \(file("san.ext")): \(error)")
        }
        try check(run(openssl, ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", file("ca.key"), "-out", file("ca.pem"),
                                "-subj", "/CN=jobhook-test-ca", "-days", "2"], asServerUser: false, timeout: 60), "openssl (CA)")
        try check(run(openssl, ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", file("server.key"), "-out", file("server.csr"),
                                "-subj", "/CN=127.0.0.1"], asServerUser: false, timeout: 60), "openssl (server key)")
        try check(run(openssl, ["x509", "-req", "-in", file("server.csr"), "-CA", file("ca.pem"), "-CAkey", file("ca.key"),
                                "-CAcreateserial", "-out", file("server.crt"), "-days", "2", "-extfile", file("san.ext")],
                      asServerUser: false, timeout: 60), "openssl (server certificate)")
        chmod(file("server.key"), 0o600)
        if isRoot {
            try check(run(URL(fileURLWithPath: "/bin/chown"), [osUser, file("server.key"), file("server.crt")], asServerUser: false,
                          timeout: 30), "chown")
        }
        let conf = file("data/postgresql.conf")
        do {
            let text = try String(contentsOfFile: conf, encoding: .utf8)
            try (text + "\nssl = on\nssl_cert_file = '\(file("server.crt"))'\nssl_key_file = '\(file("server.key"))'\n")
                .write(toFile: conf, atomically: false, encoding: .utf8)
        } catch {
            throw PostgresServerError("cannot edit \(conf): \(error)")
        }
    }

    private static func pgCtlStart(directory: URL, binaries: URL, port: Int) throws(PostgresServerError) -> (status: Int32, output: String) {
        let options = [
            "-c listen_addresses=127.0.0.1", "-p \(port)", "-k \(directory.path)", "-c fsync=off",
            "-c synchronous_commit=off", "-c full_page_writes=off", "-c max_connections=300", "-c shared_buffers=32MB",
        ].joined(separator: " ")
        return try run(binaries.appendingPathComponent("pg_ctl"), [
            "-D", directory.appendingPathComponent("data").path, "-l", directory.appendingPathComponent("server.log").path,
            "-w", "-t", "30", "-o", options, "start",
        ], asServerUser: true, timeout: 45)
    }

    /// Stops the servers and removes their directories (registered with `atexit`).
    static func stopAtExit() {
        for (directory, binaries) in running.withLock({ $0 }) { stop(directory: directory, binaries: binaries) }
    }

    private static func stop(directory: URL, binaries: URL) {
        let data = directory.appendingPathComponent("data")
        if FileManager.default.fileExists(atPath: data.appendingPathComponent("postmaster.pid").path) {
            _ = try? run(binaries.appendingPathComponent("pg_ctl"), ["-D", data.path, "-m", "immediate", "-w", "-t", "10", "stop"],
                         asServerUser: true, timeout: 15)
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Clusters of test processes that are gone (a crash, a kill -9): stopped and removed, so they
    /// neither hold ports nor fill the disk.
    private static func removeStaleClusters(binaries: URL) {
        let temporary = Self.temporary
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: temporary.path) else { return }
        for name in names where name.hasPrefix(prefix) {
            let pidText = name.dropFirst(prefix.count).prefix { $0.isNumber }
            guard let pid = Int32(pidText), pid != getpid() else { continue }
            if kill(pid, 0) == 0 || errno == EPERM { continue }  // its process is still running
            stop(directory: temporary.appendingPathComponent(name), binaries: binaries)
        }
    }

    /// `initdb` and friends: on PATH, else Debian's `/usr/lib/postgresql/<newest>/bin`.
    private static func findBinaries() throws(PostgresServerError) -> URL {
        let fm = FileManager.default
        let root = "/usr/lib/postgresql"
        let versions = ((try? fm.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted(by: >)
        for version in versions where fm.isExecutableFile(atPath: "\(root)/\(version)/bin/initdb") {
            return URL(fileURLWithPath: "\(root)/\(version)/bin")
        }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        where fm.isExecutableFile(atPath: "\(directory)/initdb") {
            return URL(fileURLWithPath: String(directory))
        }
        throw PostgresServerError("PostgreSQL is not installed (no initdb on PATH or under \(root)/*/bin); run scripts/ensure-deps")
    }

    private static func ensureOSUser() throws(PostgresServerError) {
        if (try? run(URL(fileURLWithPath: "/usr/bin/id"), ["-u", osUser], asServerUser: false, timeout: 10))?.status == 0 { return }
        let result = try run(URL(fileURLWithPath: "/usr/sbin/useradd"), ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", osUser],
                             asServerUser: false, timeout: 30)
        // 9: created meanwhile by another test process.
        guard result.status == 0 || result.status == 9 else {
            throw PostgresServerError("cannot create the system user \(osUser) to run PostgreSQL as (root cannot): \(result.output)")
        }
    }

    private static func freePort() throws(PostgresServerError) -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw PostgresServerError("socket() failed: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw PostgresServerError("cannot find a free port on 127.0.0.1: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func check(_ result: (status: Int32, output: String), _ what: String) throws(PostgresServerError) {
        guard result.status == 0 else { throw PostgresServerError("\(what) failed (\(result.status)): \(result.output)") }
    }

    /// The child gets stdin, stdout and stderr only. Inherited sockets would outlive their owner in
    /// the test process: a port a test released stays bound while a `psql` (or the server itself)
    /// holds a copy, and the next bind of that port fails. glibc's `addclosefrom_np` (2.34+, looked
    /// up at run time: Swift's Glibc module does not export it), else each descriptor open now.
    static func closeOtherDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
            let closeFrom = unsafeBitCast(symbol, to: CloseFrom.self)
            if closeFrom(&actions, 3) == 0 { return }
        }
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.compactMap(Int32.init) ?? []
        for descriptor in open where descriptor > 2 && fcntl(descriptor, F_GETFD) != -1 {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }
    }

    /// Runs a program to its end (as `jobhook-pg` when root and `asServerUser`), in `/`, output in a
    /// file (a pipe could be held open by the server it starts), killed after `timeout` seconds.
    /// `posix_spawn` and `waitpid` rather than `Process`: a `Process` running `pg_ctl start` was seen
    /// never to report its end, though `pg_ctl` had finished in 0.2 s.
    static func run(_ executable: URL, _ arguments: [String], asServerUser: Bool, timeout: TimeInterval)
        throws(PostgresServerError) -> (status: Int32, output: String)
    {
        var command = [executable.path] + arguments
        if asServerUser, isRoot { command = ["/usr/sbin/runuser", "-u", osUser, "--"] + command }
        // The server user must be able to enter the working directory.
        command = ["/bin/sh", "-c", "cd / && exec \"$@\"", "sh"] + command
        let outputPath = temporary.appendingPathComponent("jobhook-pg-out-\(UUID().uuidString)").path
        defer { unlink(outputPath) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        closeOtherDescriptors(&actions)
        let argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, command[0], &actions, nil, argv, environ)
        guard spawned == 0 else { throw PostgresServerError("cannot run \(executable.path): error \(spawned)") }

        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        while true {
            let done = waitpid(pid, &status, WNOHANG)
            if done == pid { break }
            if done < 0, errno != EINTR { return (-1, "waitpid failed: errno \(errno)") }
            if Date() >= deadline {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                return (-1, "timed out after \(Int(timeout)) s")
            }
            usleep(10_000)
        }
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        // WIFEXITED / WEXITSTATUS, which Swift does not import.
        let exitStatus = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : -1
        return (exitStatus, output.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

/// Why the test PostgreSQL server could not be started or used.
public struct PostgresServerError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}
