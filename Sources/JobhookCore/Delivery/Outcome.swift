public import CurlHTTP
public import Foundation

/// What one delivery attempt came to, classified by the retry norms in README.md "Delivery":
/// only failures that may succeed later are retried, and a server's `Retry-After` is carried along.
public enum Outcome: Sendable, Hashable {
    case delivered(status: Int)
    /// Worth another attempt, no sooner than `retryAfter` when the receiver said so. `receiverDown`:
    /// the failure is the receiver's as a whole — no answer, 408, 429, 502–504, a vendor's "slow
    /// down" — not this request's, so its other deliveries would fail the same way right now; the
    /// dispatcher then holds them behind one probe (`ReceiverOutages`). A 500 is this request's: it
    /// may be its payload, and must not hold the others up.
    case retryable(reason: String, retryAfter: Duration?, receiverDown: Bool = false)
    /// Will not succeed by trying again: a dead letter at once.
    case permanent(reason: String)

    /// Label for metrics and tables: `delivered`, `retryable` or `permanent`.
    public var label: String {
        switch self {
        case .delivered: "delivered"
        case .retryable: "retryable"
        case .permanent: "permanent"
        }
    }

    /// One line for people (the delivery's `last_error`).
    public var reason: String {
        switch self {
        case .delivered(let status): "HTTP \(status)"
        case .retryable(let reason, _, _), .permanent(let reason): reason
        }
    }
}

extension Outcome {
    /// Statuses that mean "not now" rather than "never".
    static let retryableStatuses: Set<Int> = [408, 425, 429, 500, 502, 503, 504]
    /// Of those, the ones that speak for the whole receiver (overloaded, throttling, its upstream gone).
    static let receiverDownStatuses: Set<Int> = [408, 429, 502, 503, 504]

    /// Whether the receiver as a whole is failing (see `retryable`).
    public var meansReceiverDown: Bool {
        if case .retryable(_, _, let down) = self { return down }
        return false
    }

    /// Classifies an HTTP answer by its status alone (presets refine this with body checks).
    public static func classify(_ response: HTTPResponse, now: Date = Date()) -> Outcome {
        let status = response.status
        switch status {
        case 200..<300:
            return .delivered(status: status)
        case 300..<400:
            return .permanent(reason: "HTTP \(status): the URL moved (redirects are not followed; update the receiver's url)")
        case 410:
            return .permanent(reason: "HTTP 410: the endpoint is gone")
        default:
            let excerpt = bodyExcerpt(response.body)
            let reason = "HTTP \(status)" + (excerpt.isEmpty ? "" : ": \(excerpt)")
            if retryableStatuses.contains(status) {
                return .retryable(reason: reason, retryAfter: response.retryAfter(now: now),
                                  receiverDown: receiverDownStatuses.contains(status))
            }
            return .permanent(reason: reason)
        }
    }

    /// Classifies a transfer that produced no response.
    public static func classify(_ error: HTTPError) -> Outcome {
        switch error.kind {
        case .dns, .connectionRefused, .connectFailed, .timeout, .tls, .connectionLost, .notHTTP:
            .retryable(reason: error.message, retryAfter: nil, receiverDown: true)
        case .certificate, .invalidURL, .bodyTooLarge, .cancelled, .other:
            .permanent(reason: error.message)
        }
    }

    /// The start of a response body for an error line: one line, at most 200 characters.
    static func bodyExcerpt(_ body: Data) -> String {
        let text = String(decoding: body.prefix(400), as: UTF8.self)
        let oneLine = text.split(whereSeparator: \.isNewline).joined(separator: " ")
            .trimmingCharacters(in: .whitespaces)
        return oneLine.count > 200 ? String(oneLine.prefix(200)) + "…" : oneLine
    }
}
