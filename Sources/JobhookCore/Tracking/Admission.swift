/// Whether a poll may start now: the credential gate, the pause after a 429, the concurrency limit
/// and the request budget. A value type over plain `Duration`s (time since the poller started), so
/// tests drive it without a clock.
struct Admission: Sendable {
    enum Verdict: Equatable, Sendable {
        case start
        /// Look again at this time (nil: when a poll completes or a job is added).
        case wait(until: Duration?)
    }

    let maxRPS: Double
    let concurrency: Int
    /// Polls due within this window start together, so the budget holds one window's worth.
    let batchWindow: Duration
    let throttlePause: Duration
    let credentialsCoolDown: Duration

    /// Current rate: `maxRPS`, halved on each 429 and recovered gradually on success.
    private(set) var rate: Double
    private var tokens: Double = 1
    private var tokensCountedAt: Duration = .zero
    /// No request starts before this (429).
    private(set) var throttledUntil: Duration = .zero
    /// Set after 401/403: no request starts before this.
    private(set) var credentialsBlockedUntil: Duration?
    /// False until a poll is answered past the gateway (and again after a rejection): meanwhile only
    /// one request is in flight, so bad credentials cost one failed authentication, never
    /// `concurrency` of them at once (five failed AK/SK signatures in a row lock the key for five minutes).
    private(set) var credentialsConfirmed = false

    init(settings: Poller.Settings) {
        maxRPS = settings.maxRPS
        concurrency = settings.concurrency
        batchWindow = settings.batchWindow
        throttlePause = settings.throttlePause
        credentialsCoolDown = settings.credentialsCoolDown
        rate = settings.maxRPS
    }

    /// The gates that hold every poll: credentials, 429 pause, requests in flight.
    mutating func gate(now: Duration, inFlight: Int) -> Verdict {
        if let until = credentialsBlockedUntil {
            if now < until { return .wait(until: until) }
            credentialsBlockedUntil = nil
        }
        if now < throttledUntil { return .wait(until: throttledUntil) }
        if inFlight >= (credentialsConfirmed ? concurrency : 1) { return .wait(until: nil) }
        return .start
    }

    /// Spends a request token, or says when to look again. The bucket refills at `rate` and holds
    /// one batch window's worth (at least one), so over any span T at most `rate × T + burst` start.
    /// When it is empty the loop waits for a quarter of it, not for each token: at the cap, a timer
    /// per request was most of a poll's cost.
    mutating func takeToken(now: Duration) -> Verdict {
        let burst = max(1, rate * (batchWindow / .seconds(1)))
        tokens = min(burst, tokens + (now - tokensCountedAt) / .seconds(1) * rate)
        tokensCountedAt = now
        if tokens >= 1 {
            tokens -= 1
            return .start
        }
        return .wait(until: now + .seconds((max(1, burst / 4) - tokens) / rate))
    }

    /// A job tree came back: the credentials work and the rate recovers a little.
    mutating func answered() {
        credentialsConfirmed = true
        rate = min(maxRPS, rate + maxRPS / 50)
    }

    /// A 4xx other than 401/403: the gateway checked the credentials before CCE answered.
    mutating func credentialsPassed() {
        credentialsConfirmed = true
    }

    /// 429: everyone pauses for `retryAfter` (or the default pause) and the rate halves.
    /// Returns when polling may resume.
    mutating func throttled(now: Duration, retryAfter: Duration?) -> Duration {
        throttledUntil = max(throttledUntil, now + (retryAfter ?? throttlePause))
        rate = max(maxRPS / 16, rate / 2)
        return throttledUntil
    }

    /// 401/403: every poll stops for the cool-down. True for the first rejection of a stop (the one
    /// to report); later answers of polls already in flight return false.
    mutating func credentialsRejected(now: Duration) -> Bool {
        credentialsConfirmed = false
        guard credentialsBlockedUntil == nil else { return false }
        credentialsBlockedUntil = now + credentialsCoolDown
        return true
    }

    /// Lifts the stop after 401/403 at once. False when polling was not stopped.
    mutating func credentialsFixed() -> Bool {
        guard credentialsBlockedUntil != nil else { return false }
        credentialsBlockedUntil = nil
        return true
    }
}
