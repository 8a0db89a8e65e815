extension Poller {
    /// The `poll:` section of the config plus the backoff and cool-down knobs it does not expose.
    public struct Settings: Sendable, Hashable {
        /// Between two polls of one job (each wait is 90-100 % of it, so jobs added together spread out).
        public var interval: Duration
        /// API requests in flight at once.
        public var concurrency: Int
        /// Overall API request rate: over any span T at most maxRPS × T requests start, plus one
        /// batch window's worth.
        public var maxRPS: Double
        /// A job not finished this long after it was first watched is dropped with `.timedOut`.
        public var jobTimeout: Duration
        /// First wait after a transient failure; doubles per failure in a row.
        public var initialBackoff: Duration
        /// Cap of the per-job backoff.
        public var maxBackoff: Duration
        /// A newly watched job is first polled within this delay (random), not all at the same instant.
        public var firstPollSpread: Duration
        /// Pause of the whole poller after a 429 without `Retry-After` (Huawei advises 2-5 s).
        public var throttlePause: Duration
        /// After 401/403, polls resume on their own only after this long (an AK locks for 5 minutes).
        public var credentialsCoolDown: Duration

        /// Polls due within this window start together (up to this much early): a tenth of the
        /// interval, at most 10 ms.
        public var batchWindow: Duration { min(.milliseconds(10), interval / 10) }

        public init(
            interval: Duration = .seconds(15), concurrency: Int = 8, maxRPS: Double = 20,
            jobTimeout: Duration = .seconds(6 * 3600), initialBackoff: Duration = .seconds(1),
            maxBackoff: Duration = .seconds(300), firstPollSpread: Duration = .milliseconds(500),
            throttlePause: Duration = .seconds(5), credentialsCoolDown: Duration = .seconds(300)
        ) {
            self.interval = interval
            self.concurrency = max(1, concurrency)
            self.maxRPS = maxRPS > 0 ? maxRPS : 1
            self.jobTimeout = jobTimeout
            self.initialBackoff = initialBackoff
            self.maxBackoff = max(initialBackoff, maxBackoff)
            self.firstPollSpread = firstPollSpread
            self.throttlePause = throttlePause
            self.credentialsCoolDown = max(credentialsCoolDown, .seconds(300))
        }
    }
}
