import Foundation
import Hummingbird
import NIOCore

/// The SMN control routes: publish a message on demand (or only sign it, for tests that replay and
/// tamper), the `subscribe_url` the confirmations carry, and the signing certificate.
extension CCESimulator {
    func addSMNRoutes(to router: Hummingbird.Router<BasicRequestContext>) {
        let state = state
        let publisher = publisher

        router.post("/sim/smn/publish") { request, context -> Response in
            let order = try await request.decode(as: PublishRequest.self, context: context)
            let requestID = Self.requestID()
            let message: SMNMessage
            do {
                switch (order.jobID, order.type ?? (order.jobID == nil ? nil : .notification)) {
                case (let jobID?, .notification?):
                    guard let job = await state.scriptedJob(jobID) else {
                        return SimulatorResponse.error(404, requestID: requestID, message: "no job \(jobID)")
                    }
                    message = try await publisher.notification(for: job, calledAt: Date(), subject: order.subject)
                case (nil, let kind?) where kind != .notification:
                    message = try await publisher.confirmation(kind)
                default:
                    return SimulatorResponse.error(400, requestID: requestID, message:
                        "give job_id (a Notification) or type SubscriptionConfirmation or UnsubscribeConfirmation")
                }
            } catch {
                return SimulatorResponse.error(500, requestID: requestID, message: "cannot sign: \(error)")
            }
            var status: Int?
            if order.send ?? true {
                guard order.url != nil || publisher.config != nil else {
                    return SimulatorResponse.error(400, requestID: requestID,
                                                   message: "no url: give url, or smn.url in the scenario")
                }
                status = await publisher.deliver(message, to: order.url, retrying: false)
            }
            return SimulatorResponse.json(.ok, ByteBuffer(bytes: PublishAnswer(envelope: message, status: status).json),
                                          requestID: requestID)
        }
        router.get("/sim/smn/confirm") { request, _ -> Response in
            let token = request.uri.queryParameters["token"].map(String.init) ?? ""
            guard await publisher.confirm(token: token) else {
                return SimulatorResponse.error(404, requestID: Self.requestID(), message: "unknown subscription token")
            }
            let urn = "\(publisher.topicURN):\(token.prefix(32))"
            return SimulatorResponse.json(.ok, object: ["subscription_urn": urn], requestID: Self.requestID())
        }
        router.get("/sim/smn/unsubscribe") { _, _ -> Response in
            SimulatorResponse.json(.ok, object: [:], requestID: Self.requestID())
        }
        router.get("/sim/smn/cert.pem") { _, _ -> Response in
            do {
                let pem = try await publisher.prepare().certificatePEM
                return SimulatorResponse.json(.ok, ByteBuffer(string: pem), requestID: Self.requestID(),
                                              contentType: "application/x-pem-file")
            } catch {
                return SimulatorResponse.error(500, requestID: Self.requestID(), message: "\(error)")
            }
        }
    }

    /// `POST /sim/smn/publish`'s body.
    private struct PublishRequest: Decodable {
        /// A notification for this job (its trace as of now).
        var jobID: String?
        /// `SubscriptionConfirmation` or `UnsubscribeConfirmation` (with no `job_id`).
        var type: SMNMessage.Kind?
        /// Overrides `smn.url`.
        var url: String?
        /// false: sign and return the envelope, POST nothing. Default true (one attempt, no retries).
        var send: Bool?
        /// Overrides the notification's subject; `""` leaves it out.
        var subject: String?

        enum CodingKeys: String, CodingKey {
            case type, url, send, subject
            case jobID = "job_id"
        }
    }

    /// `{"envelope": {...}, "status": 200}`; `status` is null when nothing was sent or nothing answered.
    private struct PublishAnswer: Encodable {
        var envelope: SMNMessage
        var status: Int?

        enum CodingKeys: String, CodingKey { case envelope, status }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(envelope, forKey: .envelope)
            try c.encode(status, forKey: .status)  // null, not left out
        }

        var json: Data {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return (try? encoder.encode(self)) ?? Data("{}".utf8)
        }
    }
}
