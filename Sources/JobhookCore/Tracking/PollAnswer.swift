import CCE
import CurlHTTP

/// What one ShowJob answer means for the job and for the poller: the pure policy, kept apart from
/// the scheduling so each rule is stated (and tested) once.
enum PollAnswer: Sendable {
    /// A job tree: diff it, then poll again after the interval (or stop once it is recorded finished).
    case tree(Job)
    /// Our own shutdown or unwatch cancelled the transfer: not a fault of CCE's; poll again at once.
    case cancelled
    /// 401/403 or no credentials: every poll stops (they share the credentials, and repeated bad
    /// AK/SK attempts lock the key).
    case credentialsRejected(CCEError)
    /// 404: the job is gone — expired from CCE's short history if it answered before, else a wrong ID.
    case notFound(CCEError)
    /// 429: everyone slows down, honouring `Retry-After`.
    case throttled(CCEError)
    /// 5xx, 408, transport faults, garbled answers: back this job off and try again.
    case transient(CCEError)
    /// Any other refusal (an ID CCE can never answer for — `isInvalidJobID` — or another 4xx): asking again cannot help,
    /// so the job stops being polled at once instead of backing off until `job_timeout`.
    case refused(CCEError)

    init(_ result: Result<Job, CCEError>) {
        switch result {
        case .success(let tree):
            self = .tree(tree)
        case .failure(let error):
            if error.kind == .transport(.cancelled) {
                self = .cancelled
            } else if error.isAuthFailure {
                self = .credentialsRejected(error)
            } else if error.isNotFound {
                self = .notFound(error)
            } else if error.isThrottled {
                self = .throttled(error)
            } else if error.isTransient {
                self = .transient(error)
            } else {
                self = .refused(error)
            }
        }
    }

    /// An answer that passed the API gateway proves the credentials work: the gateway checks them
    /// before CCE answers at all.
    var confirmsCredentials: Bool {
        switch self {
        case .tree: true
        case .credentialsRejected, .cancelled: false
        case .notFound(let error), .throttled(let error), .transient(let error), .refused(let error):
            error.status.map { $0 < 500 } ?? false
        }
    }

    /// `jobhook_polls_total{outcome}`.
    var metricOutcome: String {
        switch self {
        case .tree: "ok"
        case .notFound: "not_found"
        case .credentialsRejected: "auth"
        case .throttled: "throttled"
        case .cancelled, .transient, .refused: "error"
        }
    }
}
