import Foundation
import HTTPTypes
import Hummingbird
public import JobhookCore
import NIOCore

/// `intake.smn.path`: where SMN POSTs. Outside `/v1` and `/-`, so no bearer token is asked for (SMN
/// cannot send one): the topic list and the signature are its authentication (`SMNIntake`). The
/// path is fixed at start-up; what the route accepts follows the current config.
struct IntakeRoute: Sendable {
    var intake: SMNIntake
    var path: String
    var bodyTimeout: Duration

    static let allow = "POST, OPTIONS"

    func add(to router: Hummingbird.Router<BasicRequestContext>) {
        let intake = intake, bodyTimeout = bodyTimeout
        let routerPath = RouterPath(path)
        router.post(routerPath) { request, _ -> Response in
            if let length = request.headers[.contentLength].flatMap(Int.init), length > SMNMessage.maxBodyBytes {
                return Self.response(intake.refuseTooLarge())
            }
            let buffer: ByteBuffer
            do {
                buffer = try await RequestDeadline.body(of: request, upTo: SMNMessage.maxBodyBytes, within: bodyTimeout)
            } catch is NIOTooManyBytesError {
                return Self.response(intake.refuseTooLarge())
            }
            return Self.response(await intake.receive(Data(buffer.readableBytesView)))
        }
        router.on(routerPath, method: .options) { _, _ in Response(status: .noContent, headers: [.allow: Self.allow]) }
        for method in APIRoute.refusable where method != .post {
            router.on(routerPath, method: method) { request, _ -> Response in
                throw APIError(.methodNotAllowed, "\(request.method.rawValue) is not allowed on the SMN intake route (allowed: \(Self.allow))",
                               headers: [.allow: Self.allow])
            }
        }
    }

    /// 2xx: `{"status": outcome, "detail": …, "job_ids": […]}`; otherwise `{"error": …}`.
    static func response(_ answer: SMNIntake.Answer) -> Response {
        let status = HTTPResponse.Status(code: answer.status)
        guard answer.status < 300 else { return JSONResponse.make(status: status, ErrorBody(error: answer.detail)) }
        struct Body: Encodable {
            var status: String
            var detail: String
            var jobIDs: [String]
            enum CodingKeys: String, CodingKey { case status, detail, jobIDs = "job_ids" }
        }
        return JSONResponse.make(status: status, Body(status: answer.outcome, detail: answer.detail, jobIDs: answer.jobIDs))
    }
}
