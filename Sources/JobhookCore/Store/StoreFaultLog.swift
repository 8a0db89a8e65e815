public import Logging
import Synchronization

/// Says a store outage once, not once per refused write. A full disk refuses every write of every
/// poll and every delivery attempt; a log line each buries the cause (and the log may share the
/// full disk). The first refusal is an error with its reason, later ones are counted, a reminder
/// with the count follows every `reminder` while it lasts, and the first write accepted after it
/// says how many were refused. `jobhook_store_write_errors_total` counts every one.
public final class StoreFaultLog: Sendable {
    public static let reminder: Duration = .seconds(60)

    private struct State {
        var refused = 0
        var lastSaid: ContinuousClock.Instant?
    }

    private let state = Mutex(State())
    private let logger: Logger
    /// What is done with a refused write, for the first line (e.g. "the change is detected again").
    private let consequence: String

    public init(logger: Logger, consequence: String) {
        self.logger = logger
        self.consequence = consequence
    }

    /// A write was refused.
    public func refused(_ error: StoreError, metadata: Logger.Metadata = [:]) {
        JobhookMetrics.storeWriteError()
        let now = ContinuousClock.now
        let say: (first: Bool, count: Int)? = state.withLock { state in
            state.refused += 1
            guard let last = state.lastSaid else {
                state.lastSaid = now
                return (true, state.refused)
            }
            guard now - last >= Self.reminder else { return nil }
            state.lastSaid = now
            return (false, state.refused)
        }
        guard let say else { return }
        var metadata = metadata
        metadata["error"] = "\(error)"
        if say.first {
            logger.error("the state store refused a write; \(consequence)", metadata: metadata)
        } else {
            metadata["refused"] = "\(say.count)"
            logger.error("the state store still refuses writes; \(consequence)", metadata: metadata)
        }
    }

    /// A write was accepted: ends an outage, if one was going on.
    public func accepted() {
        let refused: Int = state.withLock { state in
            defer { state = State() }
            return state.refused
        }
        guard refused > 0 else { return }
        logger.notice("the state store accepts writes again", metadata: ["refused": "\(refused)"])
    }

    /// Whether writes are being refused now (for tests and readiness).
    public var isFailing: Bool { state.withLock { $0.refused > 0 } }
}
