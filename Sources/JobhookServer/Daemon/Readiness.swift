import Synchronization

/// What `/readyz` reports beyond "config loaded, store open" (true once the daemon exists): whether
/// CCE has rejected our credentials, in which case polling is stopped and an operator must act.
final class Readiness: Sendable {
    private let problem = Mutex<String?>(nil)

    /// nil when ready.
    var reason: String? { problem.withLock { $0 } }

    func credentialsRejected(_ message: String) {
        problem.withLock { $0 = "CCE rejected the credentials; polling is stopped: \(message)" }
    }

    func pollSucceeded() {
        problem.withLock { $0 = nil }
    }
}
