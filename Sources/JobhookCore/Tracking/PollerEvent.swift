public import CCE

/// What the poller reports, in the order it happened. Consumers (router, `jobhook watch`, the store)
/// read them from `Poller.events`.
public enum PollerEvent: Sendable {
    /// One poll's phase changes, parent before children, and the tree they were found in.
    case changes([PhaseChange], tree: Job)
    /// The job and all its sub-jobs are terminal: the job is no longer polled.
    case finished(jobID: String, tree: Job)
    /// `poll.job_timeout` passed before the job finished: the job is no longer polled.
    case timedOut(jobID: String)
    /// 404 for a job that answered before: it aged out of CCE's short job history. No longer polled.
    case expired(jobID: String, CCEError)
    /// A failed poll. Transient faults (5xx, timeouts, garbled answers) are reported once per streak of
    /// failures and the job keeps being polled with backoff. A 404 for a job never seen is also
    /// reported here, and that job is no longer polled (the ID is wrong or already gone).
    case failed(jobID: String, CCEError)
    /// 401/403 or no credentials: every job stops being polled (they share the credentials, and repeated
    /// bad AK/SK attempts lock the key) until `resumeAfterCredentialsFixed()` or the cool-down ends.
    case credentialsRejected(CCEError)
}

extension PollerEvent {
    /// The job this event concerns, when it concerns one.
    public var jobID: String? {
        switch self {
        case .changes(let changes, let tree): changes.first?.rootID ?? tree.uid
        case .finished(let id, _), .timedOut(let id), .expired(let id, _), .failed(let id, _): id
        case .credentialsRejected: nil
        }
    }
}

extension PollerEvent {
    /// Events whose recording the poller waits for before it reports the job again.
    var awaitsRecord: Bool {
        switch self {
        case .changes, .finished: true
        case .timedOut, .expired, .failed, .credentialsRejected: false
        }
    }
}
