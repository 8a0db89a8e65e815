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
    /// Returns a `.transport(.cancelled)` failure when the poller stops, or the caller's task is
    /// cancelled, before the turn comes (a listing waiting out a credential cool-down must not
    /// hold up a graceful shutdown).
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

    /// Queues the caller until the scheduler loop admits it (`startListing`); false when stopping
    /// or cancelled.
    private func listingTurn() async -> Bool {
        guard !stopping, !Task.isCancelled else { return false }
        nextListingID += 1
        let id = nextListingID
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                // A cancel that came before this point finds nothing queued; it is seen here instead.
                if Task.isCancelled {
                    continuation.resume(returning: false)
                } else {
                    listingQueue.append((id, continuation))
                    wake()
                }
            }
        } onCancel: {
            Task { await self.cancelListing(id) }
        }
    }

    private func cancelListing(_ id: UInt64) {
        guard let index = listingQueue.firstIndex(where: { $0.id == id }) else { return }
        listingQueue.remove(at: index).turn.resume(returning: false)
    }

    /// Called by the loop once the gates passed and a token was spent: the listing is in flight.
    func startListing() {
        inFlight += 1
        listingQueue.removeFirst().turn.resume(returning: true)
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
