import ArgumentParser
import CCE
import CurlHTTP
import Foundation
import JobhookCore
import Logging
import Synchronization

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

    @OptionGroup var cce: CCEOptions

    @Flag(help: "Only show phases; send nothing.")
    var noNotify = false

    @Option(help: "Give up after this long (e.g. 30m, 1h); default poll.job_timeout (6h).")
    var timeout: Duration?

    @Option(help: "Between two polls of one job (e.g. 5s); default poll.interval (15s).")
    var interval: Duration?

    @Flag(help: "JSON lines instead of text.")
    var json = false

    @Option(help: "Log level for diagnostics on standard error.")
    var logLevel: Logger.Level = .warning

    func validate() throws {
        for id in jobIDs {
            if let problem = JobID.problem(id) { throw ValidationError(problem) }
        }
    }

    func run() async throws {
        var loaded = try cce.load(oneAccount: true)
        let redactor = Redactor(config: loaded)
        let logger = LoggingOptions.bootstrap(level: logLevel, format: .text, redactor: redactor)
        if let timeout { loaded.poll.jobTimeout = timeout }
        if let interval { loaded.poll.interval = interval }
        if noNotify { loaded.rules = [] }
        var pollSettings = loaded.poll.pollerSettings
        pollSettings.firstPollSpread = .milliseconds(50)
        let jobIDs = uniqueJobIDs
        let display = WatchDisplay(jobIDs: jobIDs, output: json ? .json : isatty(STDOUT_FILENO) == 1 ? .tree : .lines,
                                   redactor: redactor)
        let (events, sink) = AsyncStream.makeStream(of: PollerEvent.self)
        let http = CurlClient()
        defer { http.shutdown() }
        // `jobhook watch` must not touch the daemon's state file: an in-memory store, same engine.
        let store = try await startOrExit(redactor: redactor) { try SQLiteStore.inMemory() }
        let engine = try await startOrExit(redactor: redactor) {
            try await Engine.make(config: loaded, store: store, http: http, pollSettings: pollSettings, logger: logger,
                                  onEvent: { event, _ in
                                      display.show(event)
                                      sink.yield(event)
                                  })
        }
        for id in jobIDs { _ = try await startOrExit(redactor: redactor) { try await engine.watches.add(id, source: .cli) } }
        let outcome = OutcomeBox(FollowOutcome(jobIDs: jobIDs))
        try await engine.run(logger: logger) {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    while !Task.isCancelled {
                        display.redraw()
                        try? await Task.sleep(for: .seconds(1))
                    }
                }
                for await event in events {
                    if outcome.observe(event) { break }
                }
                group.cancelAll()
            }
            display.redraw()
            await Self.waitForDeliveries(store)
        }
        let code = outcome.exitStatus
        if code != 0 { throw ExitCode(code) }
    }

    private var uniqueJobIDs: [String] {
        var seen = Set<String>()
        return jobIDs.filter { seen.insert($0).inserted }
    }

    /// Notifications go out before the command exits: wait (bounded) for the queue to empty.
    private static func waitForDeliveries(_ store: SQLiteStore) async {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < .seconds(30), !Task.isCancelled {
            if ((try? await store.pendingCount()) ?? 0) == 0 { return }
            try? await Task.sleep(for: .milliseconds(100))
        }
        printError("some notifications were still being retried when watch ended")
    }
}

/// The outcome, shared between the event loop and the exit.
private final class OutcomeBox: Sendable {
    private let value: Mutex<FollowOutcome>
    init(_ outcome: FollowOutcome) { value = Mutex(outcome) }

    /// Adds an event; true once every job has ended.
    func observe(_ event: PollerEvent) -> Bool {
        value.withLock { outcome in
            outcome.observe(event)
            return outcome.isComplete
        }
    }

    var exitStatus: Int32 { value.withLock { $0.exitStatus } }
}
