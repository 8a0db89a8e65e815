public import CurlHTTP
public import Foundation

/// What the dispatcher needs to know about one receiver to make an attempt: built from a `Receiver`
/// at load (and reload) time, so the hot path does no config lookups.
public struct DeliveryTarget: Sendable {
    public var name: String
    /// Per attempt.
    public var timeout: Duration
    public var retry: RetrySettings
    /// Attempts in flight at once for this receiver; others wait their turn without blocking
    /// other receivers.
    public var maxInFlight: Int
    /// Attempts started per window; an attempt over the limit waits in the queue (never dropped).
    /// Empty: unlimited.
    public var rateLimits: [RateLimit]
    /// Per-attempt additions computed afresh every time (timestamps, signatures), given the
    /// delivery id and the attempt's time.
    public var prepare: @Sendable (inout HTTPRequest, _ deliveryID: String, _ now: Date) -> Void
    /// Turns an answer into an outcome: status rules, refined by the vendor's body codes for presets.
    public var classify: @Sendable (HTTPResponse, _ now: Date) -> Outcome
    /// Hides the config's secrets in an outcome's reason (a receiver may echo its token), before it
    /// is stored as `last_error` or logged; the request's own credentials are hidden on top.
    public var redactor = Redactor()

    public init(
        name: String, timeout: Duration = .seconds(15), retry: RetrySettings = RetrySettings(), maxInFlight: Int = 4, rateLimits: [RateLimit] = [],
        prepare: @escaping @Sendable (inout HTTPRequest, String, Date) -> Void = { _, _, _ in },
        classify: @escaping @Sendable (HTTPResponse, Date) -> Outcome = { Outcome.classify($0, now: $1) }
    ) {
        self.name = name
        self.timeout = timeout
        self.retry = retry
        self.maxInFlight = maxInFlight
        self.rateLimits = rateLimits
        self.prepare = prepare
        self.classify = classify
    }
}
