import CCE
import CurlHTTP
import Foundation
import JobhookCore
import Logging

/// The engine of `jobhook watch`: a poller over the given jobs, optionally the pipeline and
/// dispatcher over an in-memory store, and the display. Returns the exit status.
struct JobFollower {
    enum Output { case tree, lines, json }

    /// How one job ended, in order of precedence for the exit status.
    enum Ending: Int32 {
        case success = 0
        case failed = 1
        case timedOut = 3
        case apiError = 4
    }

    let jobIDs: [String]
    let poller: Poller
    let output: Output
    let logger: Logger
    let notifier: (pipeline: Pipeline, dispatcher: Dispatcher, store: SQLiteStore)?

    init(jobIDs: [String], config: Config, client: CCEClient, http: any HTTPClient, notify: Bool, output: Output, logger: Logger) throws {
        self.jobIDs = jobIDs
        self.output = output
        self.logger = logger
        var settings = config.poll.pollerSettings
        settings.firstPollSpread = .milliseconds(50)
        poller = Poller(fetcher: client, settings: settings, logger: logger)
        if notify {
            let store = try SQLiteStore.inMemory()
            let dispatcher = Dispatcher(store: store, http: http, targets: config.receivers.map(\.deliveryTarget), logger: logger)
            let pipeline = Pipeline(poller: poller, store: store, dispatcher: dispatcher, config: ConfigSource(config), logger: logger)
            notifier = (pipeline, dispatcher, store)
        } else {
            notifier = nil
        }
    }

    func run() async -> Int32 {
        let display = TreeDisplay(jobIDs: jobIDs, enabled: output == .tree)
        for id in jobIDs {
            if let notifier { _ = try? await notifier.store.addWatch(id, source: "cli", at: Date()) }
            await poller.watch(id)
        }
        let polling = Task { await poller.run() }
        let delivering = notifier.map { n in Task { try? await n.dispatcher.run() } }
        let ticker = Task {
            while !Task.isCancelled {
                display.redraw()
                try? await Task.sleep(for: .seconds(1))
            }
        }
        var endings: [String: Ending] = [:]
        for await event in poller.events {
            if let notifier { await notifier.pipeline.handle(event) }
            show(event, display: display)
            switch event {
            case .changes:
                break
            case .finished(let id, let tree):
                endings[id] = tree.phase == "Success" ? .success : .failed
            case .timedOut(let id):
                endings[id] = .timedOut
            case .expired(let id, _):
                endings[id] = .apiError
            case .failed(let id, let error):
                if error.isNotFound { endings[id] = .apiError }
            case .credentialsRejected:
                for id in jobIDs where endings[id] == nil { endings[id] = .apiError }
            }
            if endings.count == jobIDs.count { break }
        }
        polling.cancel()
        ticker.cancel()
        display.redraw()
        if let notifier, let delivering {
            await waitForDeliveries(notifier.store)
            await notifier.dispatcher.drain(deadline: .seconds(5))
            delivering.cancel()
        }
        let worst = endings.values.max { $0.precedence < $1.precedence } ?? .apiError
        return worst.rawValue
    }

    private func show(_ event: PollerEvent, display: TreeDisplay) {
        switch output {
        case .json:
            for line in WatchFormat.json(event) { print(line) }
        case .lines, .tree:
            switch event {
            case .changes(let changes, let tree):
                if output == .tree {
                    display.update(tree, for: changes.first?.rootID ?? tree.uid ?? "")
                } else {
                    for change in changes { print(WatchFormat.line(change)) }
                }
            case .finished(let id, let tree):
                if output == .lines { print("\(id) finished: \(tree.phase ?? "?")") }
            case .timedOut(let id):
                report("\(id): timed out before it finished", display: display)
            case .expired(let id, let error), .failed(let id, let error):
                report("\(id): \(error)", display: display)
            case .credentialsRejected(let error):
                report("\(error)", display: display)
            }
        }
        fflush(nil)
    }

    private func report(_ line: String, display: TreeDisplay) {
        if output == .tree { display.note(line) } else { printError(line) }
    }

    /// Notifications go out before the command exits: wait (bounded) for the queue to empty.
    private func waitForDeliveries(_ store: SQLiteStore) async {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < .seconds(30) {
            if ((try? await store.pendingCount()) ?? 0) == 0 { return }
            try? await Task.sleep(for: .milliseconds(100))
        }
        printError("some notifications were still being retried when watch ended")
    }
}

extension JobFollower.Ending {
    /// An API error says least about the job, so it wins; then a failure; then a timeout.
    var precedence: Int {
        switch self {
        case .success: 0
        case .timedOut: 1
        case .failed: 2
        case .apiError: 3
        }
    }
}
