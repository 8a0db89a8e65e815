import Metrics

/// Every metric jobhook exports, in one place so names and label sets stay consistent
/// (`jobhook_<noun>_<unit|total>`, small fixed label sets — never a job ID, URL or error text).
/// Attempts and final outcomes are separate series: a retry storm shows in attempts while
/// `jobhook_deliveries_total{result="dead"}` says what was actually lost.
public enum JobhookMetrics {
    public static func phaseChange(type: String, phase: String, level: String) {
        Counter(label: "jobhook_phase_changes_total", dimensions: [("type", type), ("phase", phase), ("level", level)]).increment()
    }

    /// A write the state store refused (a full disk, a lost database): `StoreFaultLog`.
    public static func storeWriteError() {
        Counter(label: "jobhook_store_write_errors_total").increment()
    }

    public static func ruleMatched(_ rule: String) {
        Counter(label: "jobhook_rule_matches_total", dimensions: [("rule", rule)]).increment()
    }

    /// `outcome`: delivered, retryable, permanent.
    /// Matches of a rule's regex that stopped at the match limit (and counted as no match).
    public static func regexLimitHit(_ rule: String, count: Int) {
        Counter(label: "jobhook_rule_regex_limit_total", dimensions: [("rule", rule)]).increment(by: count)
    }

    public static func attempt(receiver: String, outcome: String) {
        Counter(label: "jobhook_delivery_attempts_total", dimensions: [("receiver", receiver), ("outcome", outcome)]).increment()
    }

    /// 1 while a receiver is down as a whole (its deliveries wait behind one probe), else 0.
    public static func receiverDown(_ receiver: String, _ down: Bool) {
        Gauge(label: "jobhook_receiver_down", dimensions: [("receiver", receiver)]).record(down ? 1 : 0)
    }

    /// `result`: delivered or dead. `latency`: from detecting the change to the final outcome.
    public static func finished(receiver: String, result: String, latencySeconds: Double) {
        Counter(label: "jobhook_deliveries_total", dimensions: [("receiver", receiver), ("result", result)]).increment()
        if result == "delivered" {
            Recorder(label: "jobhook_delivery_latency_seconds", aggregate: true).record(latencySeconds)
        }
    }

    public static func setPendingDeliveries(_ count: Int) {
        Gauge(label: "jobhook_delivery_queue_pending").record(count)
    }

    public static func reload(success: Bool, at unixTime: Double) {
        Gauge(label: "jobhook_config_last_reload_successful").record(success ? 1 : 0)
        if success { Gauge(label: "jobhook_config_last_reload_success_timestamp_seconds").record(unixTime) }
    }

    public static func credentialsBlocked(_ blocked: Bool) {
        Gauge(label: "jobhook_cce_credentials_blocked").record(blocked ? 1 : 0)
    }

    /// One listing made by discovery. `via`: jobs or clusters (the mechanism that listed);
    /// `outcome`: ok, forbidden, auth, throttled, error.
    public static func discoveryListing(via: String, outcome: String) {
        Counter(label: "jobhook_discovery_listings_total", dimensions: [("via", via), ("outcome", outcome)]).increment()
    }

    /// One SMN message at the intake route: `type` as the envelope says (`unknown` when unreadable),
    /// `outcome` confirmed, watched, ignored, duplicate, refused (every 403 and 413) or error (our
    /// side failed — the store, the confirmation GET, ShowCluster — answered 5xx so SMN sends it again).
    public static func intakeMessage(type: String, outcome: String) {
        Counter(label: "jobhook_intake_messages_total", dimensions: [("type", type), ("outcome", outcome)]).increment()
    }

    /// A job discovery started watching, by the mechanism that found it.
    public static func discoveredJob(via: String) {
        Counter(label: "jobhook_discovered_jobs_total", dimensions: [("via", via)]).increment()
    }

    /// A log line refused because standard error was not drained (`LogSink`).
    /// `jobhook_replica_working`: 1 while this replica holds the work lease (PostgreSQL), else 0;
    /// the sum over replicas is 1 in a healthy deployment.
    public static func replicaWorking(_ working: Bool) {
        Gauge(label: "jobhook_replica_working").record(working ? 1 : 0)
    }

    /// `jobhook_replica_takeovers_total`: times this replica took the work over.
    public static func replicaTookOver() {
        Counter(label: "jobhook_replica_takeovers_total").increment()
    }

    public static func logLineDropped() {
        Counter(label: "jobhook_log_lines_dropped_total").increment()
    }
}
