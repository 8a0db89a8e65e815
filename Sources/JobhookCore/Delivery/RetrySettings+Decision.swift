import CCE
public import Foundation

/// When to try a failed delivery again, and when to give up — pure, so tests drive it with a seeded
/// random source. Waits follow `Backoff` and are never shorter than the receiver's `Retry-After`.
extension RetrySettings {
    public enum Decision: Sendable, Hashable {
        case delivered
        case retry(at: Date)
        case dead(reason: String)
    }

    /// Decides what follows attempt number `attempts` (1-based, counting every attempt made so far)
    /// of a delivery first written at `createdAt`.
    public func decide(
        outcome: Outcome, attempts: Int, createdAt: Date, now: Date, random: () -> Double
    ) -> Decision {
        switch outcome {
        case .delivered:
            return .delivered
        case .permanent(let reason):
            return .dead(reason: reason)
        case .retryable(let reason, let retryAfter, _):
            if attempts >= maxAttempts {
                return .dead(reason: "\(reason) (gave up after \(attempts) attempts)")
            }
            let deadline = createdAt.addingTimeInterval(maxAge.seconds)
            if let retryAfter, now.addingTimeInterval(retryAfter.seconds) > deadline {
                return .dead(reason: "\(reason) (Retry-After \(DurationText.format(retryAfter)) is beyond max_age)")
            }
            let wait = max(backoff(beforeRetry: attempts, random: random), retryAfter ?? .zero)
            let next = now.addingTimeInterval(wait.seconds)
            if next > deadline {
                return .dead(reason: "\(reason) (max_age \(DurationText.format(maxAge)) reached)")
            }
            return .retry(at: next)
        }
    }

    /// Why `delivery` must not be retried any more at `now`: nil while within `max_age`. A retry is
    /// scheduled within it, but may start later (its lane was full, the daemon was down). A first
    /// attempt is always made — also after `deliveries retry`, which resets the count — so a change
    /// is never dropped unsent.
    public func expiry(of delivery: Delivery, now: Date) -> String? {
        guard delivery.attempts > 0, now.timeIntervalSince(delivery.createdAt) > maxAge.seconds else { return nil }
        let last = delivery.lastError.map { "; last error: \($0)" } ?? ""
        return "max_age \(DurationText.format(maxAge)) passed before attempt \(delivery.attempts + 1); not sent\(last)"
    }

    /// The randomised wait before retry `n` (n = 1 after the first attempt failed).
    public func backoff(beforeRetry n: Int, random: () -> Double) -> Duration {
        Backoff(initial: initialBackoff, maximum: maxBackoff).wait(beforeRetry: n, random: random)
    }
}

extension Duration {
    /// The duration in (fractional) seconds, for date arithmetic.
    public var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
