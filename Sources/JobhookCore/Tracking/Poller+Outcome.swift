import CCE
import CurlHTTP
import Foundation
import Logging

extension Poller {
    /// Handles one poll's answer: report, remember, and put the job back on the timetable (or drop it).
    func complete(_ jobID: String, ticket: UInt64, result: Result<Job, CCEError>, took: Duration = .zero) {
        inFlight -= 1
        pollCount += 1
        countRequest(result, took: took)
        wake()
        defer { recordWatchedCount() }
        guard var watched = jobs[jobID], watched.ticket == ticket else { return }  // unwatched meanwhile
        watched.polling = false
        let now = clock.now()
        switch result {
        case .success(let tree):
            credentialsConfirmed = true
            watched.failures = 0
            watched.answered = true
            jobs[jobID] = watched
            rate = min(settings.maxRPS, rate + settings.maxRPS / 50)
            record(tree, jobID: jobID)
            if tree.isFinished {
                jobs[jobID] = nil
                eventSink.yield(.finished(jobID: jobID, tree: tree))
            } else {
                // 90-100 % of the interval: spread out, yet never later than the interval promises.
                reschedule(jobID, at: now + settings.interval * (0.9 + 0.1 * random()))
            }
        case .failure(let error):
            jobs[jobID] = watched
            handle(error, jobID: jobID, watched: watched, now: now)
        }
    }

    /// Emits the tree's changes and only then records its phases: a crash in between repeats, never loses.
    private func record(_ tree: Job, jobID: String) {
        let changes = PhaseTracker.changes(previous: phases, tree: tree, rootID: jobID, detectedAt: wallClock())
        guard !changes.isEmpty else { return }
        eventSink.yield(.changes(changes, tree: tree))
        for change in changes { phases[change.uid] = change.to }
    }

    private func handle(_ error: CCEError, jobID: String, watched: Watched, now: Duration) {
        // Only our own shutdown or unwatch cancels a transfer: not a fault of CCE's.
        if error.kind == .transport(.cancelled) {
            reschedule(jobID, at: now)
            return
        }
        if case .api(let status) = error.kind, status < 500, !error.isAuthFailure {
            credentialsConfirmed = true  // the gateway checks credentials before CCE answers 4xx
        }
        if error.isAuthFailure {
            credentialsConfirmed = false
            reschedule(jobID, at: now)
            guard credentialsBlockedUntil == nil else { return }  // already reported for this stop
            credentialsBlockedUntil = now + settings.credentialsCoolDown
            logger.error("CCE rejected the credentials; polling paused", metadata: ["error": "\(error)"])
            eventSink.yield(.credentialsRejected(error))
        } else if error.isNotFound {
            jobs[jobID] = nil
            if watched.answered || phases[jobID] != nil {
                logger.notice("job expired from CCE", metadata: ["job": "\(jobID)"])
                eventSink.yield(.expired(jobID: jobID, error))
            } else {
                logger.warning("job not found", metadata: ["job": "\(jobID)"])
                eventSink.yield(.failed(jobID: jobID, error))
            }
        } else if error.isThrottled {
            let pause = error.retryAfter ?? settings.throttlePause
            throttledUntil = max(throttledUntil, now + pause)
            rate = max(settings.maxRPS / 16, rate / 2)
            logger.warning("CCE throttled; pausing all polls", metadata: ["pause": "\(pause)", "rate": "\(rate)"])
            reschedule(jobID, at: throttledUntil)
        } else {
            var watched = watched
            watched.failures += 1
            jobs[jobID] = watched
            if watched.failures == 1 {
                logger.warning("poll failed; backing off", metadata: ["job": "\(jobID)", "error": "\(error)"])
                eventSink.yield(.failed(jobID: jobID, error))
            }
            reschedule(jobID, at: now + backoff(afterFailures: watched.failures, hint: error.retryAfter))
        }
    }

    /// Exponential backoff with jitter (between half and all of the step), capped, never shorter than
    /// the poll interval (backing off must not poll faster) nor than the server's `Retry-After`.
    func backoff(afterFailures failures: Int, hint: Duration?) -> Duration {
        let exponent = Double(min(failures - 1, 30))
        let cap = settings.maxBackoff / .seconds(1)
        let step = min(cap, settings.initialBackoff / .seconds(1) * pow(2, exponent))
        var wait = Duration.seconds(step * (0.5 + 0.5 * random()))
        wait = max(wait, settings.interval * (0.9 + 0.2 * random()))
        if let hint { wait = max(wait, hint) }
        return wait
    }
}
