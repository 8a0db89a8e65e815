public import Foundation

/// Receivers that are down as a whole, each with the time its next probe may start.
///
/// Without this, a receiver down for ten minutes with 100,000 deliveries pending got every one of
/// them tried on its own backoff: thousands of attempts a second, and when it came back the
/// deliveries arrived in whatever order their backoffs happened to end. Now, once an attempt fails
/// in a way that speaks for the whole receiver (`Outcome.meansReceiverDown`), its other deliveries
/// wait unsent — their attempt counts and order untouched — and one probe at a time, the receiver's
/// oldest pending delivery, finds out whether it is back, on the retry policy's backoff. The first
/// probe that gets an answer ends the outage, and what the receiver missed goes out in the order it
/// happened. A failure that is the request's own (a 500, a 4xx) says the receiver is up.
///
/// In memory only: after a restart the first attempts find out again.
public struct ReceiverOutages: Sendable {
    public struct Outage: Sendable, Hashable {
        public var since: Date
        /// When the next probe may start.
        public var probeAt: Date
        /// Failed attempts since the outage began, probes included.
        public var failures: Int
        public var reason: String
    }

    public enum Change: Sendable, Hashable {
        /// The receiver answered, as it did before.
        case none
        case wentDown(Outage)
        case stillDown(Outage)
        /// The outage that just ended.
        case recovered(Outage)
    }

    public private(set) var outages: [String: Outage] = [:]

    public init() {}

    public var downReceivers: Set<String> { Set(outages.keys) }

    public func isDown(_ receiver: String) -> Bool { outages[receiver] != nil }

    /// Whether the receiver's next probe may start at `now` (false when it is not down).
    public func probeDue(_ receiver: String, now: Date) -> Bool {
        guard let outage = outages[receiver] else { return false }
        return outage.probeAt <= now
    }

    /// The earliest probe still to come after `now`: when the dispatcher must look again.
    public func nextProbe(after now: Date) -> Date? {
        outages.values.map(\.probeAt).filter { $0 > now }.min()
    }

    /// What an attempt that reached the network says about its receiver.
    /// - Parameters:
    ///   - retryAt: when the failed delivery itself is to be retried; nil when it ended (dead).
    ///   - backoff: the receiver's wait before retry n, for a probe whose delivery ended.
    public mutating func record(
        _ receiver: String, outcome: Outcome, retryAt: Date?, now: Date, backoff: (Int) -> Duration
    ) -> Change {
        guard outcome.meansReceiverDown else {
            guard let ended = outages.removeValue(forKey: receiver) else { return .none }
            return .recovered(ended)
        }
        var outage = outages[receiver] ?? Outage(since: now, probeAt: now, failures: 0, reason: outcome.reason)
        let isNew = outage.failures == 0
        outage.failures += 1
        outage.reason = outcome.reason
        let next = retryAt ?? now.addingTimeInterval(backoff(min(outage.failures, 30)).seconds)
        // Several attempts were in flight when it went down: the latest verdict sets the pace.
        outage.probeAt = max(next, now)
        outages[receiver] = outage
        return isNew ? .wentDown(outage) : .stillDown(outage)
    }

    /// The receiver is no longer configured: forget its outage.
    public mutating func forget(_ receiver: String) {
        outages[receiver] = nil
    }
}
