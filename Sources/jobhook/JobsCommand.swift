import ArgumentParser
import CCE
import CurlHTTP
import Foundation
import JobhookCore
import JobhookPostgres
import Logging

/// `jobhook jobs`: the project's recent jobs as CCE lists them, newest first, with the ones jobhook
/// watches marked. The first command a new user runs to see what there is.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "List the project's recent jobs (ListJobs), newest first, marking the ones jobhook watches.",
        discussion: """
            Columns: id, type, phase, cluster, resource, age, and the state of jobhook's watch (from state.path, \
            when the file exists). Needs the IAM action cce:job:list. Exit 4 on an API error.
            Without a config file, credentials come from HUAWEICLOUD_SDK_AK/SK/SECURITY_TOKEN/PROJECT_ID/REGION.
            """)

    @OptionGroup var cce: CCEOptions

    @Option(help: "Only jobs of this cluster (ID).")
    var cluster: String?

    @Option(help: "Only jobs of this type (e.g. CreateCluster).")
    var type: String?

    @Flag(help: "Only jobs not yet finished.")
    var running = false

    @Flag(help: "JSON lines instead of a table.")
    var json = false

    @Option(help: "Log level for diagnostics on standard error.")
    var logLevel: Logger.Level = .warning

    func run() async throws {
        let config = try cce.load()
        let redactor = Redactor(config: config)
        let logger = LoggingOptions.bootstrap(level: logLevel, format: .text, redactor: redactor)
        let http = CurlClient()
        defer { http.shutdown() }
        var listings: [(account: String, jobs: [Job])] = []
        for account in config.accounts {
            let client = try await startOrExit(redactor: redactor) { try account.cce.client(http: http, logger: logger.component("cce")) }
            do {
                listings.append((account.name, try await client.listJobs()))
            } catch {
                printError(PrintableText.escape(redactor.text("jobhook: \(config.accounts.count > 1 ? "account \(account.name): " : "")\(error)")))
                throw ExitCode(4)
            }
        }
        let jobs = listings.flatMap(\.jobs)
        let report = JobsReport(listings: listings, watches: await watchStates(config.state),
                                filter: JobsReport.Filter(cluster: cluster, type: type, running: running))
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            for row in report.rows { print(String(decoding: try encoder.encode(row), as: UTF8.self)) }
        } else if report.rows.isEmpty {
            print(jobs.isEmpty ? "no jobs" : "no jobs match")
        } else {
            print(TextTable(header: report.header, maxWidths: report.maxWidths).text(report.cells(now: Date())))
        }
    }

    /// The watch state by job ID from the state store, when there is one; the listing is still
    /// worth showing without it.
    private func watchStates(_ state: StateSettings) async -> [String: Watch.State] {
        let store: (any DeliveryStore)?
        if let postgres = state.postgres {
            store = try? await PostgresStore.open(postgres.url)
        } else {
            store = FileManager.default.fileExists(atPath: state.path) ? try? SQLiteStore(path: state.path) : nil
        }
        guard let store, let watches = try? await store.watches() else { return [:] }
        return Dictionary(watches.map { ($0.jobID, $0.state) }, uniquingKeysWith: { a, _ in a })
    }
}
