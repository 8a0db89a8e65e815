public import CCE
public import CurlHTTP
public import Foundation
public import Logging

/// The SMN subscriber behind `intake.smn.path` (SPEC § Push intake): checks each message
/// (`SMNAdmission`), then confirms a subscription, or turns a CTS trace of CCE into a watch with
/// source `smn`. A refusal has no effect but a log line (never the body), a metric and the 403.
///
/// A message's ID is recorded only once it was acted on: when something on our side fails (the
/// store, the confirmation GET, ShowCluster) the answer is a 5xx, SMN sends the message again, and
/// that attempt acts on it. Acting twice is harmless (a known job stays as it is), losing it is not.
/// Reads `intake.smn` afresh for every message, so a reload changes topics, certificate and age.
public struct SMNIntake: Sendable {
    let config: ConfigSource
    let store: any DeliveryStore
    let watches: WatchList
    /// ShowCluster through each account's poller admission (its `max_rps` and credential gate).
    let showCluster: [String: @Sendable (String) async -> Result<ListedCluster, CCEError>]
    let http: any HTTPClient
    let certificates: SigningCertificates
    let logger: Logger
    let now: @Sendable () -> Date

    public init(config: ConfigSource, store: any DeliveryStore, watches: WatchList,
                showCluster: [String: @Sendable (String) async -> Result<ListedCluster, CCEError>], http: any HTTPClient,
                logger: Logger, now: @escaping @Sendable () -> Date = Date.init) {
        self.config = config
        self.store = store
        self.watches = watches
        self.showCluster = showCluster
        self.http = http
        certificates = SigningCertificates(http: http, timeout: config.current.cce.timeout)
        self.logger = logger
        self.now = now
    }

    /// What the route answers.
    public struct Answer: Sendable, Hashable {
        public var status: Int
        /// The metric's outcome: confirmed, watched, ignored, duplicate, refused, error.
        public var outcome: String
        /// Why, in words: the JSON answer's `status` (2xx) or `error`.
        public var detail: String
        /// Jobs a notification started watching.
        public var jobIDs: [String] = []
    }

    /// Handles one POSTed body.
    public func receive(_ body: Data) async -> Answer {
        guard let settings = config.current.smnIntake else {
            return Answer(status: 404, outcome: "refused", detail: "intake.smn is not configured")
        }
        guard body.count <= SMNMessage.maxBodyBytes else { return refuse(.tooLarge, nil) }
        let message: SMNMessage
        do {
            message = try SMNMessage.decode(body)
        } catch {
            return refuse(.malformed(error.description), nil)
        }
        if let refusal = SMNAdmission.topic(message, listed: settings.topics) { return refuse(refusal, message) }
        let key: SMNSigningKey
        switch settings.certificate {
        case .pinned(_, let pinned):
            key = pinned
        case .fetched(let hosts):
            switch await certificates.key(for: message.signingCertURL, hosts: hosts, now: now()) {
            case .success(let fetched): key = fetched
            case .failure(.refused(let why)): return refuse(.noCertificate(why), message)
            case .failure(.unavailable(let why)): return failed("cannot check the signature now: \(why)", message)
            }
        }
        let maxAge = Double(settings.maxAge.components.seconds)
        if let refusal = SMNAdmission.authentic(message, key: key, maxAge: maxAge, now: now()) { return refuse(refusal, message) }
        do throws(StoreError) {
            if try await store.intakeMessageSeen(message.messageID) {
                return answer(Answer(status: 200, outcome: "duplicate", detail: "seen before; not acted on again"), message)
            }
        } catch {
            return failed("the state store cannot be read: \(error)", message)
        }
        let outcome = await act(on: message, settings)
        if outcome.status < 300 {
            do throws(StoreError) {
                try await store.recordIntakeMessage(message.messageID, at: now())
            } catch {
                // Acted on but not recorded: a repeat acts again, which is harmless; say so once.
                logger.warning("an SMN message was acted on but its ID could not be recorded", metadata: ["error": "\(error)"])
            }
        }
        return answer(outcome, message)
    }

    /// A body over 256 KiB, refused by the route before it is read whole.
    public func refuseTooLarge() -> Answer { refuse(.tooLarge, nil) }

    private func act(on message: SMNMessage, _ settings: SMNIntakeSettings) async -> Answer {
        switch message.kind {
        case .subscriptionConfirmation: return await confirm(message)
        case .unsubscribeConfirmation:
            logger.notice("SMN says this endpoint was unsubscribed from the topic; subscribe it again to keep receiving CCE events",
                          metadata: ["topic": "\(message.topicURN)"])
            return Answer(status: 200, outcome: "ignored", detail: "unsubscription noted")
        case .notification:
            guard let traces = CTSTrace.traces(in: message.message) else {
                return Answer(status: 200, outcome: "ignored", detail: "the message is not a CTS trace")
            }
            let account = SMNIntakeSettings.account(forTopic: message.topicURN, in: config.current.accounts)
            var answers: [Answer] = []
            for trace in traces { answers.append(await watch(trace, account: account)) }
            if let failure = answers.first(where: { $0.status >= 300 }) { return failure }
            let watched = answers.flatMap(\.jobIDs)
            if !watched.isEmpty { return Answer(status: 200, outcome: "watched", detail: "watching", jobIDs: watched) }
            return Answer(status: 200, outcome: "ignored", detail: answers.map(\.detail).joined(separator: "; "))
        }
    }

    /// GETs `subscribe_url` (trusted: the signature covers it) with the CCE client's timeouts and no
    /// redirects (the HTTP client never follows one).
    private func confirm(_ message: SMNMessage) async -> Answer {
        let request = HTTPRequest(url: message.subscribeURL ?? "", timeout: config.current.cce.timeout, maxResponseBytes: 64 * 1024)
        do {
            let response = try await http.send(request)
            guard (200..<300).contains(response.status) else {
                return failed("confirming the subscription failed: subscribe_url answered HTTP \(response.status)", message)
            }
        } catch {
            return failed("confirming the subscription failed: \(error.kind)", message)
        }
        logger.notice("confirmed the SMN subscription", metadata: ["topic": "\(message.topicURN)"])
        return Answer(status: 200, outcome: "confirmed", detail: "subscription confirmed")
    }

    /// One trace: its job, found and filtered, joins the watch list.
    private func watch(_ trace: CTSTrace, account: String) async -> Answer {
        func ignored(_ why: String) -> Answer { Answer(status: 200, outcome: "ignored", detail: why) }
        guard trace.isCCE else { return ignored("not a CCE trace") }
        guard trace.callSucceeded else { return ignored("the API call failed, so it started no job") }
        var jobID = trace.responseJobID
        if jobID == nil, let clusterID = trace.clusterID {
            guard let lookup = showCluster[account] else { return ignored("no job in the trace, and no ShowCluster for its account") }
            switch await lookup(clusterID) {
            case .success(let cluster): jobID = cluster.jobID
            case .failure(let error) where error.isNotFound || error.kind == .invalidJobID:
                return ignored("the trace's cluster is not found")
            case .failure(let error):
                return Answer(status: 503, outcome: "error", detail: "ShowCluster failed: \(error)")
            }
        }
        guard let jobID, JobID.problem(jobID) == nil else { return ignored("no job ID in the trace") }
        if let discover = config.current.discover(for: account),
           !DiscoveryPlan.passes(Sighting(jobID: jobID, type: trace.jobType, clusterID: trace.clusterID), discover) {
            return ignored("left out by discover.types/clusters")
        }
        do throws(StoreError) {
            let added = try await watches.add(jobID, source: .smn, account: account)
            guard added.created else { return ignored("job \(jobID) is known already") }
            return Answer(status: 200, outcome: "watched", detail: "watching", jobIDs: [jobID])
        } catch {
            return Answer(status: 503, outcome: "error", detail: "the state store cannot record the watch: \(error)")
        }
    }

    private func refuse(_ refusal: SMNAdmission.Refusal, _ message: SMNMessage?) -> Answer {
        answer(Answer(status: refusal == .tooLarge ? 413 : 403, outcome: "refused", detail: refusal.description), message,
               reason: refusal.reason)
    }

    private func failed(_ why: String, _ message: SMNMessage) -> Answer {
        answer(Answer(status: 503, outcome: "error", detail: why), message)
    }

    /// Counts and logs the answer; the log names the message, never its body.
    private func answer(_ answer: Answer, _ message: SMNMessage?, reason: String? = nil) -> Answer {
        JobhookMetrics.intakeMessage(type: message?.kind.rawValue ?? "unknown", outcome: answer.outcome)
        var metadata: Logger.Metadata = ["outcome": "\(answer.outcome)"]
        if let message {
            metadata["message_id"] = "\(PrintableText.escape(String(message.messageID.prefix(80))))"
            metadata["type"] = "\(message.kind.rawValue)"
            metadata["topic"] = "\(PrintableText.escape(String(message.topicURN.prefix(200))))"
        }
        if let reason { metadata["reason"] = "\(reason)" }
        if !answer.jobIDs.isEmpty { metadata["job_ids"] = "\(answer.jobIDs.joined(separator: ","))" }
        switch answer.outcome {
        case "refused": logger.warning("SMN message refused: \(answer.detail)", metadata: metadata)
        case "error": logger.error("SMN message not handled; SMN will send it again: \(answer.detail)", metadata: metadata)
        case "watched": logger.info("SMN message: job watched", metadata: metadata)
        default: logger.debug("SMN message: \(answer.detail)", metadata: metadata)
        }
        return answer
    }
}
