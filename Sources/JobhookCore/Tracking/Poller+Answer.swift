import CCE
import Foundation
import Logging

extension Poller {
    /// Handles one poll's answer: report, and put the job back on the timetable (or drop it).
    func complete(_ jobID: String, entry: UInt64, result: Result<Job, CCEError>, took: Duration = .zero) {
        inFlight -= 1
        pollCount += 1
        let answer = PollAnswer(result)
        countRequest(answer, took: took)
        wake()
        defer { recordWatchedCount() }
        if answer.confirmsCredentials { admission.credentialsPassed() }
        guard var watched = jobs[jobID], watched.entry == entry else { return }  // unwatched meanwhile
        let now = clock.now()
        switch answer {
        case .tree(let tree):
            admission.answered()
            watched.failures = 0
            watched.answered = true
            jobs[jobID] = watched
            report(tree, jobID: jobID)
            // A job whose report waits to be recorded is not polled meanwhile (`settle` puts it back).
            guard jobs[jobID]?.unsettled == 0 else { return }
            reschedule(jobID, at: nextPoll(after: now))
        case .cancelled:
            reschedule(jobID, at: now)
        case .credentialsRejected(let error):
            reschedule(jobID, at: now)
            guard admission.credentialsRejected(now: now) else { return }  // already reported for this stop
            logger.error("CCE rejected the credentials; polling paused", metadata: ["error": "\(error)"])
            eventSink.yield(.credentialsRejected(error))
        case .notFound(let error):
            jobs[jobID] = nil
            if watched.answered || phases[jobID] != nil {
                logger.notice("job expired from CCE", metadata: ["job": "\(jobID)"])
                eventSink.yield(.expired(jobID: jobID, error))
            } else {
                logger.warning("job not found", metadata: ["job": "\(jobID)"])
                eventSink.yield(.failed(jobID: jobID, error))
            }
        case .throttled(let error):
            let until = admission.throttled(now: now, retryAfter: error.retryAfter)
            logger.warning("CCE throttled; pausing all polls", metadata: ["until": "\(until - now)", "rate": "\(admission.rate)"])
            reschedule(jobID, at: until)
        case .transient(let error):
            watched.failures += 1
            jobs[jobID] = watched
            if watched.failures == 1 {
                logger.warning("poll failed; backing off", metadata: ["job": "\(jobID)", "error": "\(error)"])
                eventSink.yield(.failed(jobID: jobID, error))
            }
            reschedule(jobID, at: now + backoff(afterFailures: watched.failures, hint: error.retryAfter))
        case .refused(let error):
            jobs[jobID] = nil
            logger.error("CCE refused the job; no longer polled", metadata: ["job": "\(jobID)", "error": "\(error)"])
            eventSink.yield(.failed(jobID: jobID, error))
        }
    }

    /// Reports the tree's changes against the recorded phases — unless an earlier report of this
    /// job is still being recorded. A finished tree's end is reported once its changes are recorded
    /// (`recorded(_:)`), never beside them: an end recorded without its changes would lose them.
    private func report(_ tree: Job, jobID: String) {
        guard let watched = jobs[jobID], watched.unsettled == 0 else { return }
        if !watched.warnedUntrackable {
            let untrackable = PhaseTracker.untrackable(in: tree, rootID: jobID)
            if !untrackable.isEmpty {
                jobs[jobID]?.warnedUntrackable = true
                logger.warning("some nodes of the job cannot be tracked", metadata: [
                    "job": "\(jobID)", "count": "\(untrackable.count)", "first": "\(untrackable[0])",
                ])
            }
        }
        let refused = watched.refused
        var changes = refused.changes + PhaseTracker.changes(
            previous: refused.isEmpty ? phases : refused.overlaid(on: phases), tree: tree, rootID: jobID, detectedAt: wallClock())
        if account != CCEAccount.defaultName {
            for index in changes.indices { changes[index].account = account }
        }
        if !changes.isEmpty {
            yieldAwaitingRecord(.changes(changes, tree: tree), jobID: jobID)
        } else if tree.isFinished {
            yieldAwaitingRecord(.finished(jobID: jobID, tree: tree), jobID: jobID)
        }
    }

    /// Hands the consumer a report it must record (or refuse) before the job is reported again.
    func yieldAwaitingRecord(_ event: PollerEvent, jobID: String) {
        guard var watched = jobs[jobID] else { return }
        watched.unsettled += 1
        jobs[jobID] = watched
        unsettledReports += 1
        eventSink.yield(event)
    }

    /// 90-100 % of the interval: spread out, yet never later than the interval promises.
    func nextPoll(after now: Duration) -> Duration {
        now + settings.interval * (0.9 + 0.1 * random())
    }

    /// `Backoff` from the poll settings, never shorter than the poll interval (backing off must not
    /// poll faster) nor than the server's `Retry-After`.
    func backoff(afterFailures failures: Int, hint: Duration?) -> Duration {
        let backoff = Backoff(initial: settings.initialBackoff, maximum: settings.maxBackoff)
        var wait = backoff.wait(beforeRetry: failures, random: random)
        wait = max(wait, settings.interval * (0.9 + 0.2 * random()))
        if let hint { wait = max(wait, hint) }
        return wait
    }
}
