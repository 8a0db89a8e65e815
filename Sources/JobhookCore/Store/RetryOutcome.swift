/// What `jobhook deliveries retry` and `POST /v1/deliveries/{id}/retry` did.
public enum RetryOutcome: Sendable, Hashable {
    /// Pending again, due now, with a fresh round of attempts.
    case requeued
    /// No delivery has that id.
    case unknown
    /// It was delivered already; sending it again needs `force` (the receiver would get it twice).
    case alreadyDelivered
}
