public import Foundation
public import JobhookCore

/// A queued notification as the API shows it. Never the URL, headers or body: they carry secrets
/// (tokens in webhook URLs, signing keys in headers); `last_error` (a transport error, a receiver's
/// answer) is shown through a `Redactor`. Shared by `GET /v1/deliveries` and
/// `jobhook deliveries --json`, so scripts see one shape.
public struct DeliveryBody: Encodable, Sendable {
    public var id: String
    public var receiver: String
    public var rule: String
    public var jobID: String
    public var uid: String
    public var transition: String
    public var state: String
    public var attempts: Int
    public var createdAt: Date
    public var nextAttemptAt: Date?
    public var lastError: String?
    public var finishedAt: Date?
    /// The CCE account of the job.
    public var cce: String

    enum CodingKeys: String, CodingKey {
        case id, receiver, rule, uid, transition, state, attempts, cce
        case jobID = "job_id"
        case createdAt = "created_at"
        case nextAttemptAt = "next_attempt_at"
        case lastError = "last_error"
        case finishedAt = "finished_at"
    }

    /// With URL masking only; `init(_:redactor:)` with the config's redactor also hides its secrets.
    public init(_ delivery: Delivery) {
        self.init(delivery, redactor: Redactor())
    }

    public init(_ delivery: Delivery, redactor: Redactor) {
        id = delivery.id
        receiver = delivery.receiver
        rule = delivery.rule
        jobID = delivery.jobID
        uid = delivery.uid
        transition = delivery.transition
        state = delivery.state.rawValue
        attempts = delivery.attempts
        createdAt = delivery.createdAt
        // Only a pending delivery has a next attempt worth showing.
        nextAttemptAt = delivery.state == .pending ? delivery.nextAttemptAt : nil
        lastError = delivery.lastError.map(redactor.text)
        finishedAt = delivery.finishedAt
        cce = delivery.account
    }
}

struct DeliveryListBody: Encodable {
    var deliveries: [DeliveryBody]
}
