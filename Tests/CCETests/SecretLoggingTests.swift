import CCE
import CurlHTTP
import Foundation
import InMemoryLogging
import Logging
import Testing
import TestSupport

/// Secrets planted in credentials never reach a log record (message or metadata) or an error's
/// description, whatever CCE answers: refusals, throttling, faults, clock skew, transport errors.
@Suite struct SecretLoggingTests {
    static let secrets = ["AKPLANTED7QX", "SKPLANTED9ZW", "STPLANTED4RT", "TOKPLANTED2MN", "PWPLANTED8KD", "IAMTOKPLANTED5"]

    /// Everything one record carries, flattened: what must never contain a secret.
    static func text(_ entry: InMemoryLogHandler.Entry) -> String {
        "\(entry.message) " + entry.metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }

    static func leaks(_ texts: [String]) -> [String] {
        texts.filter { text in secrets.contains { text.contains($0) } }
    }

    func logger(_ handler: InMemoryLogHandler) -> Logger {
        var logger = Logger(label: "test") { _ in handler }
        logger.logLevel = .trace
        return logger
    }

    /// 401 (twice), 403, 429 with Retry-After, 503, a 200 HTML page, then a real job; every answer
    /// carries a `Date` 10 minutes off, so the skew warning fires too.
    func hostileCCE() throws -> LoopbackServer {
        try LoopbackServer { request in
            let date = HTTPHeader("Date", "Thu, 01 Jan 2026 00:10:00 GMT")
            switch request.index % 7 {
            case 0, 1: return .json(#"{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information"}"#, status: 401, headers: [date])
            case 2: return .json(#"{"errorCode":"CCE.01403001","errorMessage":"forbidden"}"#, status: 403, headers: [date])
            case 3: return .json(#"{"error_code":"APIGW.0308","error_msg":"throttled"}"#, status: 429, headers: [date, HTTPHeader("Retry-After", "1")])
            case 4: return .status(503, headers: [date])
            case 5: return .text("<html>login</html>")
            default: return .json(#"{"metadata":{"uid":"job-1"},"spec":{"type":"CreateCluster"},"status":{"phase":"Running"}}"#, headers: [date])
            }
        }
    }

    func exercise(_ client: CCEClient, times: Int = 8) async -> [String] {
        var errors: [String] = []
        for _ in 0..<times {
            do { _ = try await client.showJob("job-1") } catch { errors.append(error.description) }
        }
        return errors
    }

    @Test func akskAndTokenSignersNeverLogTheirSecrets() async throws {
        let server = try hostileCCE()
        defer { server.stop() }
        let handler = InMemoryLogHandler()
        let http = CurlClient()
        defer { http.shutdown() }
        let start = Date(timeIntervalSince1970: 1_767_225_600)
        let aksk = AKSKSigner(accessKey: Secret("AKPLANTED7QX"), secretKey: Secret("SKPLANTED9ZW"),
                              securityToken: Secret("STPLANTED4RT"), logger: logger(handler), now: { start })
        let token = StaticToken(Secret("TOKPLANTED2MN"))
        var errors: [String] = []
        for signer in [aksk, token] as [any RequestSigner] {
            let client = CCEClient(endpoint: try CCEEndpoint(url: server.url("/")), projectID: "p1", http: http,
                                   credentials: signer, timeout: .seconds(5), logger: logger(handler), now: { start })
            errors += await exercise(client)
        }
        // A refused connection and an invalid job ID, too.
        let refusing = try RefusingPort()
        let offline = CCEClient(endpoint: try CCEEndpoint(url: refusing.url("/")), projectID: "p1", http: http,
                                credentials: aksk, timeout: .seconds(5), logger: logger(handler))
        errors += await exercise(offline, times: 1)
        do { _ = try await offline.showJob("jöb SKPLANTED9ZW") } catch { errors.append(error.description) }

        #expect(!handler.entries.isEmpty, "the scenario should have logged something (skew, retries)")
        #expect(Self.leaks(handler.entries.map(Self.text)) == [])
        #expect(errors.count >= 10)
        #expect(Self.leaks(errors).allSatisfy { $0.contains("jöb") }, "only the caller's own bad job ID may be echoed")
        #expect(server.requests.contains { $0.header("Authorization")?.contains("AKPLANTED7QX") == true }, "AK/SK was really used")
    }

    @Test func iamPasswordAndIssuedTokenAreNeverLogged() async throws {
        let iam = try LoopbackServer { request in
            request.index == 0
                ? .json(#"{"error":{"code":401,"message":"The username or password is wrong."}}"#, status: 401)
                : .json(#"{"token":{"expires_at":"2099-01-01T00:00:00.000000Z","issued_at":"2026-01-01T00:00:00.000000Z"}}"#,
                        status: 201, headers: [HTTPHeader("X-Subject-Token", "IAMTOKPLANTED5")])
        }
        defer { iam.stop() }
        let cce = try hostileCCE()
        defer { cce.stop() }
        let handler = InMemoryLogHandler()
        let http = CurlClient()
        defer { http.shutdown() }
        let source = IAMTokenSource(endpoint: try CCEEndpoint(url: iam.url("/")), domain: "acme", user: "ops",
                                    password: Secret("PWPLANTED8KD"), scope: .projectID("p1"), http: http,
                                    timeout: .seconds(5), logger: logger(handler), retryDelays: [])
        let client = CCEClient(endpoint: try CCEEndpoint(url: cce.url("/")), projectID: "p1", http: http,
                               credentials: source, timeout: .seconds(5), logger: logger(handler))
        let errors = await exercise(client)
        #expect(iam.requests.count >= 1)
        #expect(Self.leaks(handler.entries.map(Self.text)) == [])
        #expect(Self.leaks(errors) == [])
    }
}
