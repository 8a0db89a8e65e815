public import CCE
import CurlHTTP
import Logging

extension Poller {
    /// Runs one listing request (discovery) under the admission polls obey — the credential gate,
    /// the 429 pause, `poll.concurrency` and `poll.max_rps` — ahead of the next due poll. Its answer
    /// counts like a poll's: a 401 stops every request for the cool-down (reported once, as
    /// `.credentialsRejected`), a 429 pauses everyone. A 403 is returned as is: on a listing it
    /// means "not permitted to list", not bad credentials.
    ///
    /// Returns a `.transport(.cancelled)` failure when the poller stops before the turn comes.
    public func admitted<Answer: Sendable>(
        _ request: @Sendable () async throws(CCEError) -> Answer
    ) async -> Result<Answer, CCEError> {
        guard await listingTurn() else {
            return .failure(CCEError(.transport(.cancelled), message: "jobhook is shutting down"))
        }
        let result: Result<Answer, CCEError>
        do throws(CCEError) {
            result = .success(try await request())
        } catch {
            result = .failure(error)
        }
        listingAnswered(result.map { _ in () })
        return result
    }

    /// Queues the caller until the scheduler loop admits it (`startListing`); false when stopping.
    private func listingTurn() async -> Bool {
        guard !stopping else { return false }
        return await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            listingQueue.append(continuation)
            wake()
        }
    }

    /// Called by the loop once the gates passed and a token was spent: the listing is in flight.
    func startListing() {
        inFlight += 1
        listingQueue.removeFirst().resume(returning: true)
    }

    private func listingAnswered(_ result: Result<Void, CCEError>) {
        inFlight -= 1
        wake()
        let now = clock.now()
        switch result {
        case .success:
            admission.answered()
        case .failure(let error) where error.kind == .transport(.cancelled):
            break
        case .failure(let error) where error.status == 401 || error.kind == .credentials:
            guard admission.credentialsRejected(now: now) else { return }
            logger.error("CCE rejected the credentials on a listing; polling paused", metadata: ["error": "\(error)"])
            eventSink.yield(.credentialsRejected(error))
        case .failure(let error) where error.isThrottled:
            let until = admission.throttled(now: now, retryAfter: error.retryAfter)
            logger.warning("CCE throttled a listing; pausing all polls", metadata: ["until": "\(until - now)"])
        case .failure(let error):
            if let status = error.status, status < 500 { admission.credentialsPassed() }
        }
    }
}
