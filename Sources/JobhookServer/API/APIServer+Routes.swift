import CCE
import Foundation
import HTTPTypes
import Hummingbird
import JobhookCore

extension APIServer {
    func addRoutes(to router: Hummingbird.Router<BasicRequestContext>) {
        let hooks = hooks
        router.get("/healthz") { _, _ in JSONResponse.make(status: .ok, ["status": "ok"]) }
        router.get("/readyz") { _, _ in
            if let reason = await hooks.readiness() {
                throw APIError(.serviceUnavailable, "not ready: \(reason)")
            }
            return JSONResponse.make(status: .ok, ["status": "ready"])
        }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: await hooks.metrics()))
            )
        }

        router.post("/-/reload") { _, _ in
            guard let reload = hooks.reload else { throw APIError(.notFound, "reloading is not enabled") }
            if let problems = await reload() {
                throw APIError(.badRequest, "the new config was rejected; the previous one stays in force: \(problems)")
            }
            return JSONResponse.make(status: .ok, ["status": "reloaded"])
        }

        router.post("/v1/watches") { request, _ in
            let (jobID, named) = try await Self.watchRequest(from: request)
            let account = try Self.account(named, of: hooks.accounts)
            let added = try await hooks.addWatch(jobID, account)
            let watch = try await hooks.watch(jobID)
            let status: HTTPResponse.Status = added ? .created : .ok
            guard let watch else { return JSONResponse.make(status: status, ["job_id": jobID]) }
            return JSONResponse.make(status: status, WatchBody(watch))
        }
        router.get("/v1/watches") { _, _ in
            JSONResponse.make(status: .ok, WatchListBody(watches: try await hooks.watches().map(WatchBody.init)))
        }
        router.get("/v1/watches/{job_id}") { _, context in
            let jobID = try context.parameters.require("job_id")
            guard let watch = try await hooks.watch(jobID) else { throw APIError(.notFound, "job \(jobID) is not watched") }
            return JSONResponse.make(status: .ok, WatchBody(watch))
        }
        router.delete("/v1/watches/{job_id}") { _, context in
            let jobID = try context.parameters.require("job_id")
            guard try await hooks.removeWatch(jobID) else { throw APIError(.notFound, "job \(jobID) is not watched") }
            return Response(status: .noContent)
        }

        router.get("/v1/deliveries") { request, _ in
            let query = request.uri.queryParameters
            var state: Delivery.State?
            if let text = query["state"].map(String.init), !text.isEmpty {
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
        router.post("/v1/deliveries/{id}/retry") { request, context in
            let id = try context.parameters.require("id")
            let force = request.uri.queryParameters["force"].map { $0 == "true" || $0 == "1" } ?? false
            switch try await hooks.retryDelivery(id, force) {
            case .requeued:
                return JSONResponse.make(status: .ok, ["id": id, "state": Delivery.State.pending.rawValue])
            case .unknown:
                throw APIError(.notFound, "no delivery \(id)")
            case .alreadyDelivered:
                throw APIError(.conflict, "delivery \(id) was delivered already; POST …/retry?force=true sends it again")
            }
        }

        refuseOtherMethods(on: router, [
            ("/healthz", [.get]), ("/readyz", [.get]), ("/metrics", [.get]), ("/-/reload", [.post]),
            ("/v1/watches", [.get, .post]), ("/v1/watches/{job_id}", [.get, .delete]),
            ("/v1/deliveries", [.get]), ("/v1/deliveries/{id}/retry", [.post]),
        ])
    }

    /// Hummingbird answers a known path with the wrong method as 404; clients deserve 405 + Allow.
    private func refuseOtherMethods(on router: Hummingbird.Router<BasicRequestContext>, _ routes: [(RouterPath, [HTTPRequest.Method])]) {
        let all: [HTTPRequest.Method] = [.get, .post, .put, .patch, .delete]
        for (path, allowed) in routes {
            let allow = allowed.map(\.rawValue).joined(separator: ", ")
            for method in all where !allowed.contains(method) {
                router.on(path, method: method) { request, _ -> Response in
                    throw APIError(.methodNotAllowed, "\(request.method.rawValue) is not allowed here (allowed: \(allow))", headers: [.allow: allow])
                }
            }
        }
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

    /// Reads `{"job_id": "…", "cce": "…"}` (`cce` optional) from a body of at most `maxBodyBytes`.
    static func watchRequest(from request: Request) async throws -> (jobID: String, account: String?) {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBodyBytes {
            throw APIError(.contentTooLarge, tooLargeMessage)
        }
        let buffer = try await request.body.collect(upTo: maxBodyBytes)
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
