import Foundation
import Logging

/// Compares the gateway's `Date` with the local clock. AK/SK signatures carry the local time and the
/// gateway refuses them beyond 15 minutes of skew, so a drifting clock is worth a warning well before
/// that: once when the skew passes 5 minutes, once when it is back to normal (not on every poll).
actor ClockSkewWatch {
    static let warnAbove: TimeInterval = 5 * 60

    private let logger: Logger
    private let now: @Sendable () -> Date
    private var warned = false
    /// Last measured skew (server minus local), seconds.
    private(set) var skew: TimeInterval = 0

    init(logger: Logger, now: @escaping @Sendable () -> Date) {
        self.logger = logger
        self.now = now
    }

    func note(serverDate: Date) {
        skew = serverDate.timeIntervalSince(now())
        let seconds = Int(skew.rounded())
        if abs(skew) > Self.warnAbove, !warned {
            warned = true
            logger.warning("local clock differs from the CCE gateway's; AK/SK signatures fail beyond 15 minutes, sync the clock (NTP)", metadata: [
                "skew_seconds": "\(seconds)",
                "local_clock": "\(seconds > 0 ? "behind" : "ahead")",
            ])
        } else if abs(skew) <= Self.warnAbove, warned {
            warned = false
            logger.info("local clock agrees with the CCE gateway again", metadata: ["skew_seconds": "\(seconds)"])
        }
    }
}
