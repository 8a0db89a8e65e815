import ArgumentParser
import CCE
import CurlHTTP
import Foundation
import JobhookCore
import Logging

/// `jobhook watch JOB_ID…`: follows jobs in the foreground until every one is terminal.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Follow jobs until every one is terminal, firing matching rules unless --no-notify.",
        discussion: """
            On a terminal: a live tree of job and sub-job phases. Otherwise one line per change (--json: JSON lines).
            Exit 0 every job Success, 1 any job Failed, 2 usage or config, 3 timeout, 4 API error (auth, not found).
            Without a config file, credentials come from HUAWEICLOUD_SDK_AK/SK/SECURITY_TOKEN/PROJECT_ID/REGION.
            """)

    @Argument(help: "CCE job IDs (as returned by CreateCluster, CreateNode, …).")
    var jobIDs: [String]

    @OptionGroup var config: ConfigOptions

    @Flag(help: "Only show phases; send nothing.")
    var noNotify = false

    @Option(help: "Give up after this long (e.g. 30m, 1h); default poll.job_timeout (6h).")
    var timeout: Duration?

    @Option(help: "Between two polls of one job (e.g. 5s); default poll.interval (15s).")
    var interval: Duration?

    @Flag(help: "JSON lines instead of text.")
    var json = false

    @Option(help: "CCE region (overrides the config and HUAWEICLOUD_SDK_REGION).")
    var region: String?

    @Option(help: "CCE endpoint URL (e.g. http://127.0.0.1:8080 for the simulator).")
    var endpoint: String?

    @Option(help: "Project ID (overrides the config and HUAWEICLOUD_SDK_PROJECT_ID).")
    var projectID: String?

    @Option(help: "Log level for diagnostics on standard error.")
    var logLevel: Logger.Level = .warning

    func validate() throws {
        for id in jobIDs {
            if let problem = JobID.problem(id) { throw ValidationError(problem) }
        }
    }

    func run() async throws {
        let logger = LoggingOptions.bootstrap(level: logLevel, format: .text)
        var loaded = try loadConfig()
        if let timeout { loaded.poll.jobTimeout = timeout }
        if let interval { loaded.poll.interval = interval }
        let http = CurlClient()
        defer { http.shutdown() }
        let client: CCEClient
        do {
            client = try loaded.cce.client(http: http, logger: logger)
        } catch {
            printError("\(error)")
            throw ExitCode(2)
        }
        let notify = !noNotify && !loaded.rules.isEmpty
        let follower = try JobFollower(jobIDs: uniqueJobIDs, config: loaded, client: client, http: http, notify: notify,
                                       output: json ? .json : isatty(STDOUT_FILENO) == 1 ? .tree : .lines, logger: logger)
        let code = await follower.run()
        if code != 0 { throw ExitCode(code) }
    }

    private var uniqueJobIDs: [String] {
        var seen = Set<String>()
        return jobIDs.filter { seen.insert($0).inserted }
    }

    /// The config file when there is one (explicit -c or $JOBHOOK_CONFIG must exist; ./rules.yaml
    /// may be absent), else settings from the environment; flags override either.
    private func loadConfig() throws -> Config {
        var environment = ProcessInfo.processInfo.environment
        // Flags stand in for the SDK variables where the file says nothing, and override it below.
        if let region { environment["HUAWEICLOUD_SDK_REGION"] = region }
        if let projectID { environment["HUAWEICLOUD_SDK_PROJECT_ID"] = projectID }
        var loaded: Config
        if config.path != nil || !(environment["JOBHOOK_CONFIG"] ?? "").isEmpty || FileManager.default.fileExists(atPath: config.resolvedPath) {
            loaded = try config.load(environment: environment)
        } else {
            let sdk = CredentialsFromEnvironment(environment)
            guard let region = region ?? sdk.region ?? (endpoint != nil ? "custom" : nil) else {
                printError("no config file (\(config.resolvedPath)) and no region: pass --region or set HUAWEICLOUD_SDK_REGION")
                throw ExitCode(2)
            }
            loaded = Config(cce: CCESettings(
                region: region, projectID: sdk.projectID, auth: AuthSettings.fromEnvironment(environment)))
        }
        if let region { loaded.cce.region = region }
        if let endpoint { loaded.cce.endpoint = endpoint }
        if let projectID { loaded.cce.projectID = projectID }
        return loaded
    }
}
