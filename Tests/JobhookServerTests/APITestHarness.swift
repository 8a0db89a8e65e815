import CCE
import CurlHTTP
import Foundation
import Hummingbird
import JobhookCore
import JobhookServer
import Logging

/// A real API server on an ephemeral loopback port, backed by an in-memory store, with a curl client.
/// `run` stops the server when the body returns or throws; every wait is bounded.
struct APITestHarness {
    let base: String
    let port: Int
    let store: SQLiteStore
    let client: CurlClient
    let token: String?

    static func run<T: Sendable>(
        token: String? = nil,
        readiness: @escaping @Sendable () async -> String? = { nil },
        idleTimeout: Duration = .seconds(10),
        bodyTimeout: Duration = .seconds(10),
        maxConnections: Int = 256,
        intake: SMNIntakeSettings? = nil,
        _ body: @Sendable (APITestHarness) async throws -> T
    ) async throws -> T {
        let store = try SQLiteStore.inMemory()
        let client = CurlClient()
        defer { client.shutdown() }
        var quiet = Logger(label: "jobhook.api.test")
        quiet.logLevel = .critical
        // The daemon's own wiring; the poller is not run, so added watches are recorded, not polled.
        var config = Config(cce: CCESettings(region: "test"))
        config.smnIntake = intake
        let engine = try await Engine(config: config, store: store,
                                      fetcher: UnreachableCCE(), http: client, logger: quiet)
        var hooks = APIServer.Hooks(engine: engine)
        hooks.readiness = readiness
        hooks.metrics = { "jobhook_up 1\n" }
        var server = try APIServer(listen: "127.0.0.1:0", token: token.map(Secret.init), hooks: hooks, logger: quiet)
        server.idleTimeout = idleTimeout
        server.bodyTimeout = bodyTimeout
        server.maxConnections = maxConnections
        if let intake { server.intake = (engine.intake, intake.path) }
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let app = server.application(onServerRunning: { portSink.yield($0) })
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try? await app.run()
                portSink.finish()
            }
            group.addTask {
                // Bounded start-up: ends the wait for a port below if the server never comes up.
                try? await Task.sleep(for: .seconds(20))
                portSink.finish()
            }
            defer { group.cancelAll() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw HarnessError("the API server did not start within 20s") }
            let harness = APITestHarness(base: "http://127.0.0.1:\(port)", port: port, store: store, client: client, token: token)
            return try await body(harness)
        }
    }

    @discardableResult
    func send(_ method: String, _ path: String, json: String? = nil, body: Data? = nil, bearer: String? = nil) async throws -> CurlHTTP.HTTPResponse {
        var headers: [HTTPHeader] = []
        if let auth = bearer ?? token { headers.append(HTTPHeader("Authorization", "Bearer \(auth)")) }
        let payload = json.map { Data($0.utf8) } ?? body
        if payload != nil { headers.append(HTTPHeader("Content-Type", "application/json")) }
        return try await client.send(CurlHTTP.HTTPRequest(method: method, url: base + path, headers: headers, body: payload, timeout: .seconds(10)))
    }

    /// Decodes a JSON object body.
    static func object(_ response: CurlHTTP.HTTPResponse) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: response.body) as? [String: Any] else {
            throw HarnessError("not a JSON object: \(String(decoding: response.body, as: UTF8.self))")
        }
        return object
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// CCE for a poller that never runs.
struct UnreachableCCE: JobFetching {
    func showJob(_ id: String) async throws(CCEError) -> Job {
        throw CCEError(.transport(.cancelled), jobID: id, message: "the API tests run no poller")
    }
}
