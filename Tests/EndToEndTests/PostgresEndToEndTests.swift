import Foundation
import Synchronization
import Testing
import TestSupport

/// `state.postgres` and `jobhook state copy` as an operator uses them, against the test process's
/// throwaway PostgreSQL cluster (`PostgresServer`).
@Suite struct PostgresEndToEndTests {
    func config(_ dir: TempDirectory, state: String) throws -> String {
        try dir.write("rules.yaml", """
            cce: {region: cn-north-4, endpoint: "http://127.0.0.1:9", project_id: p1, auth: {token: t}}
            state:
            \(state)
            server: {listen: ~}
            receivers: [{name: chat, url: "http://127.0.0.1:9/hook"}]
            rules: [{name: failed, match: {phase: Failed}, notify: [chat]}]
            """)
    }

    func jobhook(_ arguments: [String], environment: [String: String] = [:], directory: String? = nil)
        async throws -> (status: Int32?, stdout: String, stderr: String)
    {
        let process = try ChildProcess(jobhookBinary(), arguments, environment: environment, directory: directory)
        let status = await process.waitForExit(timeout: .seconds(30))
        return (status, process.stdout, process.stderr)
    }

    @Test func runOnPostgresMigratesStartsAndNamesTheDatabaseWithoutItsPassword() async throws {
        let server = try await PostgresServer.shared()
        let database = try await server.createDatabase()
        let dir = try TempDirectory()
        defer { dir.cleanUp() }
        // Trust authentication: the password is never checked, so it shows whether it leaks.
        let url = "postgres://postgres:${PGPASSWORD}@127.0.0.1:\(server.port)/\(database)?sslmode=disable"
        let path = try config(dir, state: "  postgres: {url: \"\(url)\", lease: 10s}")
        let environment = ["PGPASSWORD": "planted-pg-pw"]
        let check = try await jobhook(["check", "-c", path], environment: environment)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")

        let daemon = try ChildProcess(jobhookBinary(), ["run", "-c", path], environment: environment)
        let running = await daemon.waitForLine(containing: "running", in: .stderr, timeout: .seconds(30))
        // Log lines mask a URL's credentials and query values altogether.
        #expect(running?.contains("state=postgres://<redacted>@127.0.0.1:\(server.port)/\(database)") == true, "\(daemon.stderr)")
        #expect(daemon.stderr.contains("state store migrated"), "\(daemon.stderr)")
        // "running" is logged just before the signal handlers are installed: a SIGTERM at once could
        // meet the default action on a loaded machine.
        try await Task.sleep(for: .seconds(1))
        daemon.signal(SIGTERM)
        let status = await daemon.waitForExit(timeout: .seconds(20))
        #expect(status == 0, "exit \(status.map(String.init) ?? "none (killed)"): \(daemon.stderr)")
        #expect(!daemon.stderr.contains("planted-pg-pw"))
        await server.dropDatabase(database)
    }

    @Test func runExitsOneWhenTheDatabaseCannotBeReached() async throws {
        let refusing = try RefusingPort()
        let dir = try TempDirectory()
        defer { dir.cleanUp() }
        let path = try config(dir, state: "  postgres: {url: \"postgres://app:planted-pg-pw@127.0.0.1:\(refusing.port)/state\"}")
        let run = try await jobhook(["run", "-c", path])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains("state store postgres://app:***@127.0.0.1:\(refusing.port)/state: cannot reach PostgreSQL"), "\(run.stderr)")
        #expect(!run.stderr.contains("planted-pg-pw"))
    }

    @Test func checkRefusesBothStoresAtTheirLine() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanUp() }
        let path = try config(dir, state: "  path: ./s.sqlite\n  postgres: {url: \"postgres://u@h/db\"}")
        let check = try await jobhook(["check", "-c", path])
        #expect(check.status == 1)
        #expect((check.stdout + check.stderr).contains("rules.yaml:4:13: state: give exactly one of 'path'"), "\(check.stdout)\(check.stderr)")
    }

    @Test func stateCopyFillsAnEmptyDatabaseOnceAndPrintsCounts() async throws {
        let server = try await PostgresServer.shared()
        let database = try await server.createDatabase()
        let dir = try TempDirectory()
        defer { dir.cleanUp() }
        let store = dir.file("state.sqlite")
        let added = try await jobhook(["silence", "add", "--match", "cluster_id=c-1", "--for", "1h", "--state", store])
        #expect(added.status == 0, "\(added.stderr)")
        let target = "postgres://postgres:${PGPASSWORD}@127.0.0.1:\(server.port)/\(database)?sslmode=disable"
        let environment = ["PGPASSWORD": "planted-pg-pw"]

        let copied = try await jobhook(["state", "copy", "--to", target, "--from", store], environment: environment)
        #expect(copied.status == 0, "\(copied.stderr)")
        #expect(copied.stdout.contains("copied \(store) to postgres://postgres:***@127.0.0.1:\(server.port)/\(database)?sslmode=disable"))
        #expect(copied.stdout.contains("silences: 1"))
        #expect(copied.stdout.contains("deliveries: 0"))

        let again = try await jobhook(["state", "copy", "--to", target, "--from", store], environment: environment)
        #expect(again.status == 1)
        #expect(again.stderr.contains("is not empty (watches 0, phases 0, discovery baselines 0, deliveries 0, silences 1, intake messages 0)"), "\(again.stderr)")
        #expect(!(copied.stdout + copied.stderr + again.stderr).contains("planted-pg-pw"))

        let missing = try await jobhook(["state", "copy", "--to", target, "--from", dir.file("nope.sqlite")], environment: environment)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no state store at"))
        await server.dropDatabase(database)
    }

    /// `silence` and `deliveries` use the configured database, not a stray SQLite file beside it.
    @Test func silenceAndDeliveriesCommandsUseTheConfiguredDatabase() async throws {
        let server = try await PostgresServer.shared()
        let database = try await server.createDatabase()
        let dir = try TempDirectory()
        defer { dir.cleanUp() }
        let path = try config(dir, state: "  postgres: {url: \"\(server.url(database: database))\"}")
        // Run where a stray ./jobhook-state.sqlite (state.path's default) would appear.
        let added = try await jobhook(["silence", "add", "--match", "cluster_id=c-9", "--for", "1h", "--comment", "on pg", "-c", path],
                                      directory: dir.path)
        #expect(added.status == 0, "\(added.stderr)")
        let listed = try await jobhook(["silence", "list", "-c", path])
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.contains("cluster_id=c-9") && listed.stdout.contains("on pg"), "\(listed.stdout)")
        let deliveries = try await jobhook(["deliveries", "list", "-c", path])
        #expect(deliveries.status == 0, "\(deliveries.stderr)")
        #expect(deliveries.stdout.contains("no deliveries"), "\(deliveries.stdout)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("jobhook-state.sqlite")))
        await server.dropDatabase(database)
    }

    /// The README's move: a daemon on SQLite whose receiver is down leaves a pending delivery; stop it,
    /// `state copy`, switch the config to `state.postgres`, start: the delivery goes out once, under
    /// its webhook-id, and the job's change is not detected (and sent) again.
    @Test func aPendingDeliveryGoesOutOnceAfterMovingToPostgres() async throws {
        let harness = try await Harness(scenario: """
            project_id: p1
            jobs:
              - id: job-ok
                type: CreateCluster
                resource_name: beta
                cluster_id: c-ok
                timeline:
                  - {after: 0s, phase: Running}
                  - {after: 200ms, phase: Success}
            """)
        let up = Mutex(false)
        let receiver = try LoopbackServer { _ in up.withLock { $0 } ? .status(200) : .status(503) }
        defer { receiver.stop() }
        let sqliteConfig = try harness.writeConfig(
            receivers: """
              - name: pipeline
                url: \(receiver.url("/hook"))
                retry: {max_attempts: 100, initial_backoff: 100ms, max_backoff: 200ms, max_age: 5m}
            """,
            rules: """
              - name: cluster-ready
                match: {type: CreateCluster, phase: Success, level: job}
                notify: [pipeline]
            """,
            watch: ["job-ok"])
        let onSQLite = try harness.startDaemon(config: sqliteConfig)
        #expect(await eventually(timeout: .seconds(20)) { receiver.requests.count >= 2 }, "stderr: \(onSQLite.stderr)")
        onSQLite.signal(SIGTERM)
        #expect(await onSQLite.waitForExit() == 0, "\(onSQLite.stderr)")
        let refused = receiver.requests.count

        let server = try await PostgresServer.shared()
        let database = try await server.createDatabase()
        let copied = try await jobhook(["state", "copy", "--to", server.url(database: database), "-c", sqliteConfig])
        #expect(copied.status == 0, "\(copied.stderr)")
        #expect(copied.stdout.contains("deliveries: 1"), "\(copied.stdout)")
        let text = try String(contentsOfFile: sqliteConfig, encoding: .utf8)
        let postgresConfig = try harness.dir.write("rules-pg.yaml", text.replacingOccurrences(
            of: "  path: \(harness.dir.file("state.sqlite"))", with: "  postgres: {url: \"\(server.url(database: database))\"}"))
        let switched = try String(contentsOfFile: postgresConfig, encoding: .utf8)
        #expect(switched.contains("postgres: {url:") && !switched.contains("state.sqlite"), "\(switched)")

        up.withLock { $0 = true }
        let onPostgres = try harness.startDaemon(config: postgresConfig)
        #expect(await eventually(timeout: .seconds(20)) { receiver.requests.count == refused + 1 }, "stderr: \(onPostgres.stderr)")
        try await Task.sleep(for: .seconds(1))
        onPostgres.signal(SIGTERM)
        #expect(await onPostgres.waitForExit() == 0, "\(onPostgres.stderr)")
        #expect(onPostgres.stderr.contains("state=postgres://"), "\(onPostgres.stderr)")
        await harness.stop()
        #expect(receiver.requests.count == refused + 1, "sent once after the move, not again")
        #expect(Set(receiver.requests.compactMap { $0.header("webhook-id") }).count == 1, "one event, one webhook-id throughout")
        await server.dropDatabase(database)
    }
}
