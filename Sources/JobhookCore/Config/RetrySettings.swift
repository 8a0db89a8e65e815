/// How long one receiver's delivery keeps trying. Whichever of `maxAttempts` and `maxAge` is
/// reached first ends it as a dead letter.
public struct RetrySettings: Sendable, Hashable, Codable {
    /// Every attempt counts, the first included.
    public var maxAttempts: Int
    /// The lower bound of every wait; the upper bound of the first.
    public var initialBackoff: Duration
    /// Caps the doubling (a server's `Retry-After` may still exceed it).
    public var maxBackoff: Duration
    /// Measured from when the delivery was queued.
    public var maxAge: Duration

    public init(maxAttempts: Int = 12, initialBackoff: Duration = .seconds(1), maxBackoff: Duration = .seconds(300), maxAge: Duration = .seconds(24 * 3600)) {
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.maxAge = maxAge
    }
}
