import CCE
import Foundation
import HTTPTypes
import Hummingbird
import JobhookCore

extension APIServer {
    func addRoutes(to router: Hummingbird.Router<BasicRequestContext>) {
        let hooks = hooks
        var routes = RouteRegistry(router: router)
        routes.on(.healthz, .get) { _, _ in JSONResponse.make(status: .ok, ["status": "ok"]) }
        routes.on(.readyz, .get) { _, _ in
            if let reason = await hooks.readiness() {
                throw APIError(.serviceUnavailable, "not ready: \(reason)")
            }
            return JSONResponse.make(status: .ok, ["status": "ready"])
        }
        routes.on(.metrics, .get) { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: await hooks.metrics()))
            )
        }
        routes.on(.openAPI, .get) { _, _ in
            guard let document = OpenAPIDocument.text else {
                throw APIError(.notFound, "the OpenAPI document is not bundled with this binary (see docs/openapi.json)")
            }
            return Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: document))
            )
        }

        routes.on(.reload, .post) { _, _ in
            guard let reload = hooks.reload else { throw APIError(.notFound, "reloading is not enabled") }
            if let problems = await reload() {
                throw APIError(.badRequest, "the new config was rejected; the previous one stays in force: \(problems)")
            }
            return JSONResponse.make(status: .ok, ["status": "reloaded"])
        }

        let bodyTimeout = bodyTimeout
        routes.on(.watches, .post) { request, _ in
            let (jobID, named) = try await Self.watchRequest(from: request, within: bodyTimeout)
            let account = try Self.account(named, of: hooks.accounts)
            let added = try await hooks.addWatch(jobID, account)
            let watch = try await hooks.watch(jobID)
            let status: HTTPResponse.Status = added ? .created : .ok
            guard let watch else { return JSONResponse.make(status: status, ["job_id": jobID]) }
            return JSONResponse.make(status: status, WatchBody(watch))
        }
        routes.on(.watches, .get) { _, _ in
            JSONResponse.make(status: .ok, WatchListBody(watches: try await hooks.watches().map(WatchBody.init)))
        }
        routes.on(.watch, .get) { _, context in
            let jobID = try context.parameters.require("job_id")
            guard let watch = try await hooks.watch(jobID) else { throw APIError(.notFound, "job \(jobID) is not watched") }
            return JSONResponse.make(status: .ok, WatchBody(watch))
        }
        routes.on(.watch, .delete) { _, context in
            let jobID = try context.parameters.require("job_id")
            guard try await hooks.removeWatch(jobID) else { throw APIError(.notFound, "job \(jobID) is not watched") }
            return Response(status: .noContent)
        }

        routes.on(.deliveries, .get) { request, _ in
            let query = request.uri.queryParameters
            var state: Delivery.State?
            // `state=` (an empty shell variable, say) is refused rather than read as "all".
            if let text = query["state"].map(String.init) {
                guard let parsed = Delivery.State(rawValue: text) else {
                    throw APIError(.badRequest, "state must be one of pending, dead, delivered, silenced")
                }
                state = parsed
            }
            var limit = 100
            if let text = query["limit"].map(String.init) {
                guard let parsed = Int(text), (1...10_000).contains(parsed) else {
                    throw APIError(.badRequest, "limit must be a number from 1 to 10000")
                }
                limit = parsed
            }
            let deliveries = try await hooks.deliveries(state, limit)
            return JSONResponse.make(status: .ok, DeliveryListBody(deliveries: deliveries.map(DeliveryBody.init)))
        }
        routes.on(.retryDelivery, .post) { request, context in
            let id = try context.parameters.require("id")
            var force = false
            if let text = request.uri.queryParameters["force"].map(String.init) {
                guard let value = ["true": true, "1": true, "false": false, "0": false][text] else {
                    throw APIError(.badRequest, "force must be true or false")
                }
                force = value
            }
            switch try await hooks.retryDelivery(id, force) {
            case .requeued:
                return JSONResponse.make(status: .ok, ["id": id, "state": Delivery.State.pending.rawValue])
            case .unknown:
                throw APIError(.notFound, "no delivery \(id)")
            case .alreadyDelivered:
                throw APIError(.conflict, "delivery \(id) was delivered already; POST …/retry?force=true sends it again")
            }
        }

        routes.on(.silences, .post) { request, _ in
            guard let store = hooks.silenceStore else { throw APIError(.notFound, "silences are not offered here") }
            if let length = request.headers[.contentLength].flatMap(Int.init), length > Self.maxBodyBytes {
                throw APIError(.contentTooLarge, Self.tooLargeMessage)
            }
            let buffer = try await RequestDeadline.body(of: request, upTo: Self.maxBodyBytes, within: bodyTimeout)
            let now = Date()
            let silence = try SilenceRequest.fromAPI(Data(buffer.readableBytesView), now: now)
            try await store.addSilence(silence)
            return JSONResponse.make(status: .created, SilenceBody(silence, now: now))
        }
        routes.on(.silences, .get) { request, _ in
            guard let store = hooks.silenceStore else { throw APIError(.notFound, "silences are not offered here") }
            var all = false
            if let text = request.uri.queryParameters["all"].map(String.init) {
                guard let value = ["true": true, "1": true, "false": false, "0": false][text] else {
                    throw APIError(.badRequest, "all must be true or false")
                }
                all = value
            }
            let now = Date()
            let silences = try await store.silences(now: now, includingEnded: all)
            return JSONResponse.make(status: .ok, SilenceListBody(silences: silences.map { SilenceBody($0, now: now) }))
        }
        routes.on(.silence, .delete) { _, context in
            guard let store = hooks.silenceStore else { throw APIError(.notFound, "silences are not offered here") }
            let id = try context.parameters.require("id")
            guard try await store.expireSilence(id, now: Date()) else {
                throw APIError(.notFound, "no active silence \(PrintableText.escape(id).prefix(64))")
            }
            return Response(status: .noContent)
        }

        routes.answerOtherMethods()
    }

    static let tooLargeMessage = "request body too large (at most \(maxBodyBytes / 1024) KiB)"

    /// The account a new watch belongs to: the one named (it must exist), else the only one.
    static func account(_ named: String?, of accounts: [String]) throws -> String {
        if let named {
            guard accounts.contains(named) else {
                throw APIError(.badRequest, "cce: unknown account '\(String(named.filter { $0.isLetter || $0.isNumber || "-_.".contains($0) }.prefix(64)))' (accounts: \(accounts.joined(separator: ", ")))")
            }
            return named
        }
        guard accounts.count == 1 else {
            throw APIError(.badRequest, "cce is required with several accounts: one of \(accounts.joined(separator: ", "))")
        }
        return accounts[0]
    }

    /// Reads `{"job_id": "…", "cce": "…"}` (`cce` optional) from a body of at most `maxBodyBytes`
    /// that arrives whole within `limit`.
    static func watchRequest(from request: Request, within limit: Duration) async throws -> (jobID: String, account: String?) {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBodyBytes {
            throw APIError(.contentTooLarge, tooLargeMessage)
        }
        let buffer = try await RequestDeadline.body(of: request, upTo: maxBodyBytes, within: limit)
        struct Body: Decodable {
            var jobID: String?
            var cce: String?
            enum CodingKeys: String, CodingKey { case jobID = "job_id", cce }
        }
        let body: Body
        do {
            body = try JSONDecoder().decode(Body.self, from: Data(buffer.readableBytesView))
        } catch {
            throw APIError(.badRequest, #"the body must be a JSON object like {"job_id": "…"} (and "cce": "account" with several accounts)"#)
        }
        guard let jobID = body.jobID else { throw APIError(.badRequest, "job_id is missing") }
        if let problem = JobID.problem(jobID) { throw APIError(.badRequest, "job_id: \(problem)") }
        return (jobID, body.cce)
    }
}
