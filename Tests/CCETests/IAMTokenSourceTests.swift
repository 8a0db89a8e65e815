import CCE
import CurlHTTP
import Foundation
import Synchronization
import TestSupport
import Testing

/// A loopback IAM and CCE in one server: IAM issues `tok-1`, `tok-2`, … valid for 24 h; CCE accepts
/// only the tokens in `valid`.
final class FakeCloud: Sendable {
    struct State {
        var issued = 0
        var valid: Set<String> = []
        var iamScript: [Reply] = []
    }

    final class Shared: Sendable {
        let mutex = Mutex(State())
        func withLock<T>(_ body: (inout State) -> T) -> T { mutex.withLock { body(&$0) } }
    }

    let state = Shared()
    let server: LoopbackServer

    init() throws {
        let state = self.state
        server = try LoopbackServer { request in
            if request.path == "/v3/auth/tokens" {
                return state.withLock { state in
                    if !state.iamScript.isEmpty { return state.iamScript.removeFirst() }
                    state.issued += 1
                    let token = "tok-\(state.issued)"
                    state.valid.insert(token)
                    return .json(#"{"token":{"issued_at":"2026-01-01T00:00:00.000000Z","expires_at":"2026-01-02T00:00:00.000000Z","methods":["password"]}}"#,
                                 status: 201, headers: [HTTPHeader("X-Subject-Token", token)])
                }
            }
            let token = request.header("X-Auth-Token") ?? ""
            guard state.withLock({ $0.valid.contains(token) }) else {
                return .json(#"{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: token expires"}"#, status: 401)
            }
            return .json(JobFixtures.documentationExample)
        }
    }

    var iamRequests: [RecordedRequest] { server.requests.filter { $0.path == "/v3/auth/tokens" } }
    var cceRequests: [RecordedRequest] { server.requests.filter { $0.path != "/v3/auth/tokens" } }
    func revokeAll() { state.withLock { $0.valid.removeAll() } }
    func scriptIAM(_ replies: [Reply]) { state.withLock { $0.iamScript = replies } }

    func source(now: ManualNow, logger: LogRecorder = LogRecorder(), retryDelays: [Duration] = [.milliseconds(10), .milliseconds(10)]) throws -> IAMTokenSource {
        IAMTokenSource(endpoint: try CCEEndpoint(url: server.url("/")), domain: "acct", user: "bob", password: Secret("pw-hidden"),
                       scope: .projectName("cn-north-4"), http: CurlClient(), timeout: .seconds(5), logger: logger.logger,
                       now: now.closure, retryDelays: retryDelays)
    }

    func client(_ source: IAMTokenSource) throws -> CCEClient {
        CCEClient(endpoint: try CCEEndpoint(url: server.url("/")), projectID: "p123", http: CurlClient(), credentials: source, timeout: .seconds(5), logger: .silent)
    }
}

@Suite struct IAMTokenSourceTests {
    @Test func loginSendsThePasswordBodyAndUsesTheSubjectToken() async throws {
        let cloud = try FakeCloud()
        defer { cloud.server.stop() }
        let now = ManualNow()
        let job = try await cloud.client(try cloud.source(now: now)).showJob("j1")
        #expect(job.phase == "Running")
        let login = try #require(cloud.iamRequests.first)
        #expect(login.method == "POST")
        #expect(login.header("Content-Type") == "application/json;charset=utf8")
        let body = try #require(login.bodyJSON as? [String: Any])
        let auth = try #require(body["auth"] as? [String: Any])
        let identity = try #require(auth["identity"] as? [String: Any])
        #expect(identity["methods"] as? [String] == ["password"])
        let user = try #require((identity["password"] as? [String: Any])?["user"] as? [String: Any])
        #expect(user["name"] as? String == "bob" && user["password"] as? String == "pw-hidden")
        #expect((user["domain"] as? [String: Any])?["name"] as? String == "acct")
        #expect(((auth["scope"] as? [String: Any])?["project"] as? [String: String]) == ["name": "cn-north-4"])
        #expect(cloud.cceRequests.first?.header("X-Auth-Token") == "tok-1")
    }

    @Test func tokenIsReusedThenRenewedAtEightyPercentOfItsLifetime() async throws {
        let cloud = try FakeCloud()
        defer { cloud.server.stop() }
        let now = ManualNow()
        let source = try cloud.source(now: now)
        #expect(try await source.currentToken().reveal == "tok-1")
        now.advance(by: 19 * 3600)
        #expect(try await source.currentToken().reveal == "tok-1")
        now.advance(by: 720 - 1)
        #expect(try await source.currentToken().reveal == "tok-1")
        now.advance(by: 2) // past 19.2 h of 24 h
        #expect(try await source.currentToken().reveal == "tok-2")
        #expect(cloud.iamRequests.count == 2)
    }

    @Test func expiredTokenIsRenewedOnceOn401AndTheRequestRepeated() async throws {
        let cloud = try FakeCloud()
        defer { cloud.server.stop() }
        let now = ManualNow()
        let source = try cloud.source(now: now)
        let client = try cloud.client(source)
        _ = try await client.showJob("j1")
        now.advance(by: 3600)
        cloud.revokeAll()
        let job = try await client.showJob("j1")
        #expect(job.uid != nil)
        #expect(cloud.iamRequests.count == 2)
        #expect(cloud.cceRequests.map { $0.header("X-Auth-Token") } == ["tok-1", "tok-1", "tok-2"])
    }

    @Test func freshTokenRefusedIsNotRenewedInALoop() async throws {
        let cloud = try FakeCloud()
        defer { cloud.server.stop() }
        let now = ManualNow()
        let source = try cloud.source(now: now)
        let client = try cloud.client(source)
        _ = try await source.currentToken()
        cloud.revokeAll()
        do {
            _ = try await client.showJob("j1")
            Issue.record("expected 401")
        } catch {
            #expect(error.isAuthFailure && error.code == "APIGW.0301")
        }
        #expect(cloud.iamRequests.count == 1)
        #expect(cloud.cceRequests.count == 1)
    }

    @Test func concurrentCallersShareOneLogin() async throws {
        let cloud = try FakeCloud()
        defer { cloud.server.stop() }
        cloud.scriptIAM([.delay(.milliseconds(200), then: .json(
            #"{"token":{"expires_at":"2026-01-02T00:00:00Z","issued_at":"2026-01-01T00:00:00Z"}}"#, status: 201,
            headers: [HTTPHeader("X-Subject-Token", "shared")]))])
        let source = try cloud.source(now: ManualNow())
        let tokens = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<10 { group.addTask { try await source.currentToken().reveal } }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(tokens == Array(repeating: "shared", count: 10))
        #expect(cloud.iamRequests.count == 1)
    }

    @Test func transientIAMFailuresAreRetriedWithBackoff() async throws {
        let cloud = try FakeCloud()
        defer { cloud.server.stop() }
        cloud.scriptIAM([.json(#"{"error_code":"IAM.0001","error_msg":"busy"}"#, status: 503), .status(502)])
        let source = try cloud.source(now: ManualNow())
        #expect(try await source.currentToken().reveal == "tok-1")
        #expect(cloud.iamRequests.count == 3)
    }

    @Test func refusedLoginCarriesTheIAMCodeAndCoolsDown() async throws {
        let cloud = try FakeCloud()
        defer { cloud.server.stop() }
        cloud.scriptIAM([
            .json(#"{"error":{"code":401,"message":"The username or password is wrong.","title":"Unauthorized"}}"#, status: 401),
            .json(#"{"error_code":"IAM.0011","error_msg":"locked"}"#, status: 401),
        ])
        let now = ManualNow()
        let recorder = LogRecorder()
        let source = try cloud.source(now: now, logger: recorder)
        var first: CCEError?
        do { _ = try await source.currentToken() } catch { first = error }
        let error = try #require(first)
        #expect(error.kind == .credentials && error.isAuthFailure)
        #expect(error.code == "401")
        #expect(error.message.contains("username or password is wrong"))
        #expect(!error.description.contains("pw-hidden"))
        #expect(cloud.iamRequests.count == 1, "a refused password is not retried")

        // Within the cooldown the same error comes back without another login.
        await #expect(throws: CCEError.self) { try await source.currentToken() }
        #expect(cloud.iamRequests.count == 1)

        now.advance(by: 6)
        var second: CCEError?
        do { _ = try await source.currentToken() } catch { second = error }
        #expect(second?.code == "IAM.0011")
        #expect(cloud.iamRequests.count == 2)
        #expect(!recorder.lines.contains { $0.text.contains("pw-hidden") || $0.text.contains("tok-") })
    }
}
