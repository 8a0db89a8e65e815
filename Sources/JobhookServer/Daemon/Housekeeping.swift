import Foundation
import JobhookCore
import Logging
import ServiceLifecycle

/// The daemon's periodic chores: queue and watch gauges every few seconds, and trimming the
/// delivery history (delivered and dead entries older than `history`) and the SMN message IDs older
/// than `intakeMemory` (a repeat that old is refused by `max_age` before its ID matters) every hour.
struct Housekeeping: Service {
    let store: any DeliveryStore
    let logger: Logger
    var gaugeInterval: Duration = .seconds(5)
    var history: TimeInterval = 7 * 86_400
    var intakeMemory: TimeInterval = 86_400

    func run() async throws {
        var lastPrune = ContinuousClock.now - .seconds(7200) // prune once at start-up
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            if let pending = try? await store.pendingCount() { JobhookMetrics.setPendingDeliveries(pending) }
            if ContinuousClock.now - lastPrune > .seconds(3600) {
                lastPrune = .now
                do {
                    let pruned = try await store.prune(finishedBefore: Date().addingTimeInterval(-history))
                    if pruned > 0 { logger.info("pruned delivery history", metadata: ["deliveries": "\(pruned)"]) }
                    _ = try await store.pruneIntakeMessages(before: Date().addingTimeInterval(-intakeMemory))
                } catch {
                    logger.error("cannot prune delivery history", metadata: ["error": "\(error)"])
                }
            }
            let interval = gaugeInterval
            _ = try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
