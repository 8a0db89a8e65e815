import ArgumentParser
import Foundation
import JobhookCore
import JobhookPostgres

/// `jobhook state copy --to postgres://… [--from PATH | -c rules.yaml]`: moves a single-node setup
/// onto PostgreSQL without re-sending anything. Reads the SQLite file in one consistent snapshot,
/// migrates the database and fills it in one transaction, refusing a database that holds anything.
/// Stop the daemon first: what it records after the snapshot would not be copied.
struct StateCopyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy an SQLite state store into an empty PostgreSQL database.",
        discussion: """
            Copies watches, phases, discovery baselines, silences, SMN intake message IDs and the whole delivery \
            queue (ids, attempts, times, groups), so pending deliveries go out once after the switch to \
            state.postgres. The target must \
            be empty; it is migrated first. Write the password as ${PGPASSWORD} (in single quotes) or leave it \
            out to use $PGPASSWORD. Stop the daemon before copying. Exit 0 when copied; 1 when either store \
            cannot be used or the target is not empty; 2 for a bad URL or config.
            """)

    @Option(name: .customLong("to"), help: "The database: postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require].")
    var target: String

    @Option(name: .customLong("from"), help: "The SQLite store file (default: state.path from the config).")
    var source: String?

    @OptionGroup var config: ConfigOptions

    func run() async throws {
        let url = try Self.targetURL(target, environment: ProcessInfo.processInfo.environment)
        let path = try source ?? config.load().state.path
        let sqlite = try openStore(at: path, mustExist: true)
        do throws(StoreError) {
            let contents = try await sqlite.contents()
            let postgres = try await PostgresStore.open(url)
            do throws(StoreError) {
                try await postgres.importContents(contents)
            } catch {
                await postgres.close()
                throw error
            }
            await postgres.close()
            print("copied \(path) to \(url):")
            for (name, count) in contents.counts { print("  \(name): \(count)") }
        } catch {
            throw unusableStore(error)
        }
    }

    /// `--to` with `${NAME}` expanded; without a password, `$PGPASSWORD` (as psql does). Problems
    /// never quote the URL: it may hold the password.
    static func targetURL(_ text: String, environment: [String: String]) throws -> PostgresURL {
        let expanded: String
        switch EnvironmentExpansion.expand(text, environment: environment) {
        case .success(let value): expanded = value
        case .failure(.missing(let name)):
            printError("jobhook: --to: environment variable \(name) is not set")
            throw ExitCode(2)
        case .failure:
            printError("jobhook: --to: a malformed ${…} (write $${ for a literal ${)")
            throw ExitCode(2)
        }
        switch PostgresURL.parse(expanded) {
        case .success(var url):
            if url.password == nil, let password = environment["PGPASSWORD"], !password.isEmpty { url.password = password }
            return url
        case .failure(let problem):
            printError("jobhook: --to: \(problem)")
            throw ExitCode(2)
        }
    }
}
