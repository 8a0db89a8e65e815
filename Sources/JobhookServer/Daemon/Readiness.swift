public import JobhookCore
import Synchronization

/// What `/readyz` reports beyond "config loaded, store open" (true once the daemon exists): whether
/// CCE has rejected our credentials, in which case polling is stopped and an operator must act.
public final class Readiness: Sendable {
    private let problem = Mutex<String?>(nil)

    public init() {}

    /// nil when ready.
    public var reason: String? { problem.withLock { $0 } }

    /// Follows the recorded events: a rejection makes the daemon unready, a good answer ready again.
    public func observe(_ event: PollerEvent) {
        switch event {
        case .credentialsRejected(let error):
            problem.withLock { $0 = "CCE rejected the credentials; polling is stopped: \(error)" }
            JobhookMetrics.credentialsBlocked(true)
        case .changes, .finished:
            let wasBlocked = problem.withLock { problem in
                defer { problem = nil }
                return problem != nil
            }
            if wasBlocked { JobhookMetrics.credentialsBlocked(false) }
        case .timedOut, .expired, .failed:
            break
        }
    }
}
