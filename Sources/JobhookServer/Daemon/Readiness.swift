public import JobhookCore
import Synchronization

/// What `/readyz` reports beyond "config loaded, store open" (true once the daemon exists): whether
/// CCE has rejected the credentials of an account, in which case that account's polling is stopped
/// and an operator must act. Kept per account: a good answer in one does not hide another's lockout.
public final class Readiness: Sendable {
    /// Why each blocked account is blocked.
    private let blocked = Mutex<[String: String]>([:])
    /// Why the state database cannot be used (PostgreSQL; `LeaseKeeper` finds out), nil while it can.
    private let database = Mutex<String?>(nil)

    public init() {}

    /// nil when ready.
    public var reason: String? {
        if let problem = database.withLock({ $0 }) { return problem }
        return blocked.withLock { blocked in
            guard !blocked.isEmpty else { return nil }
            if blocked.count == 1, let only = blocked.first, only.key == CCEAccount.defaultName { return only.value }
            return blocked.sorted { $0.key < $1.key }.map { "account \($0.key): \($0.value)" }.joined(separator: "; ")
        }
    }

    /// The state database answers again (nil) or does not (why).
    public func database(_ problem: String?) {
        database.withLock { $0 = problem }
    }

    /// Follows the recorded events: a rejection makes the daemon unready, a good answer of the same
    /// account ready again.
    public func observe(_ event: PollerEvent, account: String = CCEAccount.defaultName) {
        switch event {
        case .credentialsRejected(let error):
            blocked.withLock { $0[account] = "CCE rejected the credentials; polling is stopped: \(error)" }
            JobhookMetrics.credentialsBlocked(true)
        case .changes, .finished:
            let stillBlocked = blocked.withLock { blocked -> Bool? in
                guard blocked.removeValue(forKey: account) != nil else { return nil }
                return !blocked.isEmpty
            }
            if let stillBlocked { JobhookMetrics.credentialsBlocked(stillBlocked) }
        case .timedOut, .expired, .failed:
            break
        }
    }
}
