import Foundation
import Logging
import Synchronization

/// Compares the gateway's `Date` with the local clock. AK/SK signatures carry the local time and the
/// gateway refuses them beyond 15 minutes of skew, so a drifting clock is worth a warning well before
/// that: once when the skew passes 5 minutes, once when it is back to normal (not on every poll).
///
/// A lock, not an actor: it is told on every poll, and an actor hop there would move the poll off
/// the curl thread and back (two thread hand-offs) for a few instructions of work.
final class ClockSkewWatch: Sendable {
    static let warnAbove: TimeInterval = 5 * 60

    private let logger: Logger
    private let now: @Sendable () -> Date
    /// Whether the last note was beyond `warnAbove`.
    private let warned = Mutex(false)

    init(logger: Logger, now: @escaping @Sendable () -> Date) {
        self.logger = logger
        self.now = now
    }

    func note(serverDate: Date) {
        let skew = serverDate.timeIntervalSince(now())
        let seconds = Int(skew.rounded())
        let beyond = abs(skew) > Self.warnAbove
        let changed = warned.withLock { warned in
            defer { warned = beyond }
            return warned != beyond
        }
        guard changed else { return }
        if beyond {
            logger.warning("local clock differs from the CCE gateway's; AK/SK signatures fail beyond 15 minutes, sync the clock (NTP)", metadata: [
                "skew_seconds": "\(seconds)",
                "local_clock": "\(seconds > 0 ? "behind" : "ahead")",
            ])
        } else {
            logger.info("local clock agrees with the CCE gateway again", metadata: ["skew_seconds": "\(seconds)"])
        }
    }
}
