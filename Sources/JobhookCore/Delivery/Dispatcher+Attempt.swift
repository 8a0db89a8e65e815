import CurlHTTP
import Foundation
import Logging

extension Dispatcher {
    /// One attempt of `delivery` (a child task of `run()`'s group), and what the retry policy makes of it.
    func attempt(_ delivery: Delivery, target: DeliveryTarget?) async {
        defer { finish(delivery) }
        var updated = delivery
        let outcome: Outcome
        let decision: RetrySettings.Decision
        var sent = false
        if let target, let expired = target.retry.expiry(of: delivery, now: now()) {
            // A lane held up (a receiver down, a full queue) must not send what max_age gave up on.
            outcome = .permanent(reason: expired)
            decision = .dead(reason: expired)
        } else if let target {
            // Fencing: the last look before the request. A replica paused since it took this
            // delivery (SIGSTOP, a frozen VM) finds its lease over here and leaves the delivery to
            // the replica that holds the work now.
            guard gate.mayWork else { return }
            outcome = await DeliveryAttempt.send(delivery, to: target, http: http, now: now)
            if Task.isCancelled, case .permanent = outcome { return } // shutdown: leave it pending as it was
            sent = true
            updated.attempts += 1
            decision = target.retry.decide(outcome: outcome, attempts: updated.attempts, createdAt: delivery.createdAt, now: now(), random: random)
        } else {
            outcome = .permanent(reason: "receiver \(delivery.receiver) is no longer configured")
            decision = .dead(reason: outcome.reason)
        }
        let at = now()
        switch decision {
        case .delivered:
            updated.state = .delivered
            updated.finishedAt = at
            updated.lastError = nil
        case .retry(let next):
            updated.nextAttemptAt = next
            updated.lastError = outcome.reason
        case .dead(let reason):
            updated.state = .dead
            updated.finishedAt = at
            updated.lastError = reason
        }
        do {
            try await store.update(updated)
            storeFaults.accepted()
        } catch where error.kind == .fenced {
            // The work moved to another replica meanwhile: it owns the delivery's outcome now.
            logger.warning("the outcome was not recorded: another replica does the work now", metadata: ["webhook_id": "\(delivery.id)"])
        } catch {
            storeFaults.refused(error, metadata: ["webhook_id": "\(delivery.id)"])
            unrecorded[updated.id] = updated
        }
        log(updated, outcome: outcome)
        if sent, let target {
            JobhookMetrics.attempt(receiver: delivery.receiver, outcome: outcome.label)
            let retryAt: Date? = if case .retry(let next) = decision { next } else { nil }
            let random = random
            let change = outages.record(delivery.receiver, outcome: outcome, retryAt: retryAt, now: at) {
                target.retry.backoff(beforeRetry: $0, random: random)
            }
            await noteOutage(change, receiver: delivery.receiver)
        }
        if updated.state != .pending {
            JobhookMetrics.finished(receiver: delivery.receiver, result: updated.state.rawValue,
                                    latencySeconds: at.timeIntervalSince(delivery.createdAt))
        }
        observer?(updated, outcome)
    }

    /// Says when a receiver goes down and comes back (once each, not per delivery), and on its return
    /// puts what it missed back in creation order.
    private func noteOutage(_ change: ReceiverOutages.Change, receiver: String) async {
        switch change {
        case .none, .stillDown:
            return
        case .wentDown(let outage):
            JobhookMetrics.receiverDown(receiver, true)
            logger.warning("receiver is down; its deliveries wait while one probe at a time finds out when it is back", metadata: [
                "receiver": "\(receiver)", "error": "\(outage.reason)", "next_probe_at": "\(outage.probeAt)",
            ])
        case .recovered(let outage):
            JobhookMetrics.receiverDown(receiver, false)
            var metadata: Logger.Metadata = [
                "receiver": "\(receiver)", "down_seconds": "\(Int(now().timeIntervalSince(outage.since)))",
                "failed_attempts": "\(outage.failures)",
            ]
            do {
                metadata["requeued"] = "\(try await store.requeueInCreationOrder(receiver: receiver))"
            } catch {
                // Only the order suffers: the retried ones go out when their own backoff ends.
                storeFaults.refused(error, metadata: ["receiver": "\(receiver)"])
            }
            logger.info("receiver is back; sending what it missed in the order it happened", metadata: metadata)
            queueChanged = true
        }
    }

    private func finish(_ delivery: Delivery) {
        inFlight[delivery.receiver]?.remove(delivery.id)
        signal()
    }

    private func log(_ delivery: Delivery, outcome: Outcome) {
        var metadata: Logger.Metadata = [
            "webhook_id": "\(delivery.id)", "receiver": "\(delivery.receiver)", "job_id": "\(delivery.jobID)",
            "attempt": "\(delivery.attempts)", "outcome": "\(outcome.label)",
        ]
        switch delivery.state {
        case .delivered:
            logger.info("delivered", metadata: metadata)
        case .pending:
            metadata["error"] = "\(outcome.reason)"
            metadata["next_attempt_at"] = "\(delivery.nextAttemptAt)"
            logger.warning("delivery attempt failed; will retry", metadata: metadata)
        case .dead:
            metadata["error"] = "\(delivery.lastError ?? outcome.reason)"
            logger.error("delivery is a dead letter", metadata: metadata)
        case .silenced:
            break  // never attempted: silenced deliveries are not pending
        }
    }
}
