import ArgumentParser
import CCE
import CurlHTTP
import Foundation
import JobhookCore
import JobhookServer
import JobhookSimulator
import Logging
import Synchronization

/// `jobhook demo`: the whole product on one machine, no cloud account — a simulated CCE playing the
/// built-in scenario, a local receiver, and the daemon with the bundled config. Ends by itself.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the simulator, a local receiver and the daemon; print each notification as it lands.")

    @Option(help: "Give up after this many seconds if the scenario has not ended.")
    var limit: Int = 120

    @Flag(help: "Show the daemon's own log lines too.")
    var verbose = false

    @Flag(help: "Find the unnamed job by push instead of listing: the simulator plays SMN and POSTs a signed CTS trace to the daemon's intake route.")
    var push = false

    /// The scenario's job the config leaves out.
    static let discoveredJob = "job-create-node"

    func run() async throws {
        let logger = LoggingOptions.bootstrap(level: verbose ? .info : .critical, format: .text)
        guard let yaml = BundledResource.text("demo-rules", extension: "yaml") else {
            printError("the demo's config (jobhook_JobhookCore.resources/demo-rules.yaml) is missing next to the binary")
            throw ExitCode(1)
        }
        var quiet = logger  // the simulator and the receiver: only their warnings, even with --verbose
        quiet.logLevel = .warning
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("jobhook-demo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let push = push ? try DemoPush(directory: directory) : nil
        var scenario = Scenario.builtIn
        scenario.smn = push?.smn
        let simulation = CCESimulator(scenario: scenario)
        let intake = try await push?.intake(signedBy: simulation)
        // With push, the daemon and its intake route come up before the simulator publishes anything.
        let simulatorPort = try push.map { _ in try FreePort.loopback() } ?? 0
        let simulatorEndpoint = "http://127.0.0.1:\(simulatorPort)"
        let received = Counter()
        let receiver = try await DemoReceiver.start(logger: quiet) { note in
            received.increment()
            emit("  ⇒ \(note.path)  webhook-id \(note.webhookID)\n     \(note.body)")
        }
        defer {
            try? FileManager.default.removeItem(at: directory)
            receiver.stop()
        }
        let simulator = RunningSimulatorBox()
        if push == nil { simulator.set(try await simulation.start(logger: quiet)) }
        let environment = [
            "JOBHOOK_DEMO_CCE": simulator.current?.endpoint ?? simulatorEndpoint, "JOBHOOK_DEMO_RECEIVER": receiver.url,
            "JOBHOOK_DEMO_STATE": directory.appendingPathComponent("state.sqlite").path,
        ]
        var config = try ConfigLoader.parse(yaml: yaml, file: "demo-rules.yaml", environment: environment)
        let jobs = Scenario.builtIn.jobIDs
        // The cluster creations are named, as a pipeline would report them; the node creation is
        // left for discovery to find by listing the project.
        config.watch.jobs = jobs.filter { $0 != Self.discoveredJob }
        if let push, let intake {
            config.discover = nil
            config.server.listen = "127.0.0.1:\(push.apiPort)"
            config.smnIntake = intake
        }

        let finding = push == nil
            ? "discovery lists the project's jobs every second and finds the ones nobody named."
            : """
            the simulator plays SMN: it POSTs a signed CTS trace of every job it starts to the daemon's
            intake route http://\(config.server.listen ?? "")\(intake?.path ?? ""), which checks it and watches the jobs nobody named.
            """
        emit("""
            jobhook demo: a simulated CCE at \(simulator.current?.endpoint ?? simulatorEndpoint), a receiver at \(receiver.url), and the daemon.
            Rules: a chat alert for failed cluster creation and failed sub-jobs, a pipeline trigger when a
            cluster is ready, a chat note when a node is ready. Watching \(config.watch.jobs.joined(separator: ", "));
            \(finding)

            """)
        let http = CurlClient()
        defer { http.shutdown() }
        let store = try openStore(at: config.state.path, exclusive: true)
        let daemon = try await startOrExit {
            try await Daemon.make(config: config, store: store, http: http, logger: logger, withAPI: push != nil, onEvent: { event, _ in
                if case .changes(let changes, _) = event {
                    for change in changes { emit(WatchFormat.line(change)) }
                }
            })
        }
        let started = ContinuousClock.now
        let limit = Duration.seconds(limit)
        let apiUp = AsyncStream.makeStream(of: Int.self)
        let simulatorLogger = quiet
        try await daemon.run(onAPIRunning: { apiUp.continuation.yield($0) }, until: {
            if push != nil {
                var ports = apiUp.stream.makeAsyncIterator()
                _ = await ports.next()
                do {
                    simulator.set(try await simulation.start(port: simulatorPort, logger: simulatorLogger))
                } catch {
                    emit("the simulator could not start on port \(simulatorPort): \(error)")
                    return
                }
            }
            var announced: Set<String> = []
            while ContinuousClock.now - started < limit, !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(200))
                let watches = (try? await store.watches()) ?? []
                for watch in watches where watch.source == WatchSource.discovery.rawValue && announced.insert(watch.jobID).inserted {
                    emit("  ⌕ found \(watch.jobID) by listing the project (not in the config): watching it")
                }
                for watch in watches where watch.source == WatchSource.smn.rawValue && announced.insert(watch.jobID).inserted {
                    emit("  ⇪ pushed by SMN: \(watch.jobID) (not in the config), signature verified: watching it")
                }
                let pending = (try? await store.pendingCount()) ?? 1
                let all = Set(watches.map(\.jobID)).isSuperset(of: jobs)
                if all, watches.allSatisfy({ $0.state != .watching }), pending == 0 { return }
            }
            emit("the scenario did not end within \(limit); stopping")
        })
        await simulator.current?.stop()
        let delivered = try await store.deliveries(state: .delivered, limit: 1000).count
        let dead = try await store.deliveries(state: .dead, limit: 1000).count
        emit("\ndone: \(jobs.count) jobs finished, \(delivered) notifications delivered, \(dead) dead, \(received.value) received.")
    }
}

/// Prints a line at once (the demo's output interleaves from several tasks).
private func emit(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

/// A thread-safe tally for the receiver callback.
private final class Counter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
