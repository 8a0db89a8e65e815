import CurlHTTP
import Foundation
import Logging

/// The simulated SMN topic: signs messages for the subscriber and POSTs them with SMN's headers,
/// retrying non-2xx answers a few times as SMN does, and counts what happened (`GET /sim/stats`).
/// The key is made (or read) on first use, so simulators that never play SMN pay nothing for it.
actor SMNPublisher {
    /// The scenario's `smn:`; nil still serves `/sim/smn/publish` (with a fresh key, no files).
    let config: Scenario.SMN?
    let topicURN: String
    /// Waits between attempts: five attempts over about four seconds.
    let retryDelays: [Duration]
    private var identity: SMNSigningIdentity?
    private var http: CurlClient?
    /// `http://host:port` of the simulator, once it listens: `subscribe_url` and `signing_cert_url` point here.
    private(set) var baseURL: String?
    private var logger = Logger(label: "cce-simulator.smn", factory: { _ in SwiftLogNoOpLogHandler() })
    /// Tokens the confirmations carried, so a GET of `subscribe_url` can be told from a made-up one.
    private var tokens: Set<String> = []
    private var counts = SMNStats()

    init(config: Scenario.SMN?, projectID: String?,
         retryDelays: [Duration] = [.milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2)]) {
        self.config = config
        topicURN = config?.topicURN(projectID: projectID) ?? Scenario.SMN.defaultTopicURN(projectID: projectID)
        self.retryDelays = retryDelays
    }

    /// Reads or makes the key and writes `cert_file`; later calls return the same identity.
    func prepare() throws(ScenarioError) -> SMNSigningIdentity {
        if let identity { return identity }
        let made = try SMNSigningIdentity.prepare(keyFile: config?.keyFile, certFile: config?.certFile)
        identity = made
        return made
    }

    /// Called once the simulator listens: where its SMN routes are, and the server's logger.
    func attach(host: String, port: Int, logger: Logger) {
        let shown = switch host {
        case "0.0.0.0", "": "127.0.0.1"
        case "::": "[::1]"
        default: host.contains(":") ? "[\(host)]" : host
        }
        baseURL = "http://\(shown):\(port)"
        self.logger = logger
    }

    // MARK: Messages

    /// A notification carrying the trace of the call that started `job`; `subject` nil: the default,
    /// `""`: none (the field is left out, as it is from the string to sign).
    func notification(for job: Scenario.ScriptedJob, calledAt: Date, subject: String? = nil) throws -> SMNMessage {
        let now = Date()
        let trace = SMNTrace(of: job, response: config?.response ?? .jobID, calledAt: calledAt, recordedAt: now)
        let base = baseURL ?? "http://127.0.0.1"
        let shownSubject: String? = switch subject {
        case nil: "CCE key operation: \(trace.traceName) \(trace.resourceName)"
        case ""?: nil
        case let given?: given
        }
        return try SMNMessage(
            type: .notification, topicURN: topicURN, messageID: CCESimulator.requestID(), message: trace.json,
            subject: shownSubject,
            unsubscribeURL: "\(base)/sim/smn/unsubscribe?subscription_urn=\(Self.queryValue(topicURN + ":sim"))",
            signingCertURL: "\(base)/sim/smn/cert.pem", timestamp: SMNMessage.timestamp(now)
        ).signed(by: prepare())
    }

    /// A `SubscriptionConfirmation` or `UnsubscribeConfirmation` whose `subscribe_url` is the simulator's
    /// `GET /sim/smn/confirm` with a fresh token.
    func confirmation(_ kind: SMNMessage.Kind) throws -> SMNMessage {
        let token = CCESimulator.requestID() + CCESimulator.requestID()
        tokens.insert(token)
        let base = baseURL ?? "http://127.0.0.1"
        let message = kind == .unsubscribeConfirmation
            ? "You have chosen to deactivate subscription of topic: \(topicURN). To cancel this operation and subscribe again, please visit the subscribe_url included in this message."
            : "You are invited to subscribe to topic: \(topicURN). To confirm this subscription, please visit the subscribe_url included in this message. The subscribe_url is valid only within 48 hours."
        return try SMNMessage(
            type: kind, topicURN: topicURN, messageID: CCESimulator.requestID(), message: message,
            subscribeURL: "\(base)/sim/smn/confirm?token=\(token)&topic_urn=\(Self.queryValue(topicURN))",
            signingCertURL: "\(base)/sim/smn/cert.pem", timestamp: SMNMessage.timestamp(Date())
        ).signed(by: prepare())
    }

    /// A GET of `subscribe_url`: true (and counted) when it carries a token a confirmation was sent with.
    func confirm(token: String) -> Bool {
        guard tokens.contains(token) else { return false }
        counts.confirmed += 1
        return true
    }

    func stats() -> SMNStats { counts }

    // MARK: Delivery

    /// POSTs `message` to `url` (default: `smn.url`) and returns the last answer's status (nil: no answer).
    /// With `retrying`, non-2xx answers and transport errors are retried after `retryDelays`. Never throws:
    /// a subscriber that is down is logged and counted as `failed`.
    @discardableResult
    func deliver(_ message: SMNMessage, to url: String? = nil, retrying: Bool = true) async -> Int? {
        guard let target = url ?? config?.url else {
            logger.warning("SMN message not sent: no url (give smn.url or a url)", metadata: ["message_id": "\(message.messageID)"])
            counts.failed += 1
            return nil
        }
        let request = HTTPRequest(method: "POST", url: target, headers: [
            HTTPHeader("Content-Type", "application/json"),
            HTTPHeader("X-SMN-MESSAGE-TYPE", message.type.rawValue),
            HTTPHeader("X-SMN-MESSAGE-ID", message.messageID),
            HTTPHeader("X-SMN-TOPIC-URN", message.topicURN),
        ], body: message.body, connectTimeout: .seconds(5), timeout: .seconds(10), maxResponseBytes: 64 * 1024)
        let client = client()
        var status: Int?
        let delays = retrying ? retryDelays : []
        for attempt in 0...delays.count {
            if attempt > 0 {
                do {
                    try await Task.sleep(for: delays[attempt - 1])
                } catch {
                    // The simulator is stopping: not a subscriber's failure.
                    logger.debug("SMN retry abandoned at shutdown", metadata: ["message_id": "\(message.messageID)"])
                    return status
                }
            }
            do {
                status = try await client.send(request).status
                if (200..<300).contains(status ?? 0) {
                    counts.published += 1
                    return status
                }
                logger.warning("SMN message refused", metadata: [
                    "type": "\(message.type.rawValue)", "message_id": "\(message.messageID)",
                    "status": "\(status ?? 0)", "attempt": "\(attempt + 1)",
                ])
            } catch {
                status = nil
                logger.warning("SMN message not delivered", metadata: [
                    "type": "\(message.type.rawValue)", "message_id": "\(message.messageID)",
                    "error": "\(error)", "attempt": "\(attempt + 1)",
                ])
            }
        }
        logger.error("SMN message given up", metadata: [
            "type": "\(message.type.rawValue)", "message_id": "\(message.messageID)", "attempts": "\(delays.count + 1)",
        ])
        counts.failed += 1
        return status
    }

    private func client() -> CurlClient {
        if let http { return http }
        let made = CurlClient()
        http = made
        return made
    }

    /// URNs hold only `[A-Za-z0-9:_-]`, but a configured one may not: keep the query well-formed.
    private static func queryValue(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~:")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

/// SMN messages (`GET /sim/stats` → `smn`): POSTs answered 2xx (any type), GETs of a `subscribe_url`
/// the simulator issued, and messages given up on (every attempt refused or unanswered).
public struct SMNStats: Sendable, Hashable, Codable {
    public var published = 0
    public var confirmed = 0
    public var failed = 0

    public init(published: Int = 0, confirmed: Int = 0, failed: Int = 0) {
        self.published = published
        self.confirmed = confirmed
        self.failed = failed
    }
}
