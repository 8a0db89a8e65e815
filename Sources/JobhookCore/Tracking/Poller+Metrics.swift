import CCE
import Metrics

/// The poller's series, created once (per-poll lookups in the metrics factory would cost a lock each).
/// Fixed labels only, never a job ID, so the series count stays small with 10,000 jobs.
struct PollerMetrics: Sendable {
    /// `jobhook_polls_total{outcome}`: ok, not_found, auth, throttled, error.
    let requests: [String: Counter]
    /// `jobhook_poll_duration_seconds`: one ShowJob round trip, answered or not.
    let duration = Recorder(label: "jobhook_poll_duration_seconds", aggregate: true)
    /// `jobhook_auth_failures_total`: 401/403 and unobtainable credentials.
    let authFailures = Counter(label: "jobhook_auth_failures_total")
    /// `jobhook_watched_jobs`: jobs currently polled.
    let watched = Gauge(label: "jobhook_watched_jobs")

    init() {
        var requests: [String: Counter] = [:]
        for outcome in ["ok", "not_found", "auth", "throttled", "error"] {
            requests[outcome] = Counter(label: "jobhook_polls_total", dimensions: [("outcome", outcome)])
        }
        self.requests = requests
    }
}

extension Poller {
    func countRequest(_ answer: PollAnswer, took: Duration) {
        metrics.duration.record(took.seconds)
        metrics.requests[answer.metricOutcome]?.increment()
        if case .credentialsRejected = answer { metrics.authFailures.increment() }
    }

    func recordWatchedCount() {
        metrics.watched.record(jobs.count)
    }
}
