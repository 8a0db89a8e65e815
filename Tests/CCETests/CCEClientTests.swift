import CCE
import CurlHTTP
import Foundation
import Logging
import TestSupport
import Testing

@Suite struct CCEClientTests {
    static let jobID = "354331b2c-229a-11e8-9c75-0255ac100ceb"
    static let jobPath = "/api/v3/projects/p123/jobs/\(jobID)"

    func client(_ server: LoopbackServer, credentials: any RequestSigner = StaticToken(Secret("tok-secret")),
                logger: Logger = .silent, now: @escaping @Sendable () -> Date = { Date() }) throws -> CCEClient {
        CCEClient(endpoint: try CCEEndpoint(url: server.url("/")), projectID: "p123", http: CurlClient(),
                  credentials: credentials, timeout: .seconds(5), logger: logger, now: now)
    }

    func failure(_ body: () async throws(CCEError) -> Job) async -> CCEError? {
        do {
            _ = try await body()
            return nil
        } catch {
            return error
        }
    }

    @Test func okAnswerDecodesAndTheRequestIsShowJob() async throws {
        let server = try LoopbackServer { _ in .json(JobFixtures.documentationExample) }
        defer { server.stop() }
        let job = try await client(server).showJob(Self.jobID)
        #expect(job.uid == Self.jobID && job.subJobs.count == 2)
        let request = try #require(server.requests.first)
        #expect(request.method == "GET")
        #expect(request.path == Self.jobPath)
        #expect(request.query == nil)
        #expect(request.header("Content-Type") == "application/json")
        #expect(request.header("User-Agent") == "jobhook/\(JobhookVersion.current)")
        #expect(request.header("X-Auth-Token") == "tok-secret")
    }

    @Test func notFoundCarriesCodeMessageAndRequestID() async throws {
        let server = try LoopbackServer { _ in
            .json(#"{"errorCode":"CCE.01404001","errorMessage":"The job does not exist"}"#, status: 404,
                  headers: [HTTPHeader("X-Request-Id", "req-404")])
        }
        defer { server.stop() }
        let client = try client(server)
        let error = try #require(await failure { () throws(CCEError) in try await client.showJob(Self.jobID) })
        #expect(error.isNotFound && !error.isTransient && !error.isAuthFailure)
        #expect(error.jobID == Self.jobID)
        #expect(error.code == "CCE.01404001")
        #expect(error.requestID == "req-404")
        #expect(error.description.contains(Self.jobID))
        #expect(error.description.contains("CCE.01404001"))
        #expect(error.description.contains("The job does not exist"))
        #expect(error.description.contains("req-404"))
    }

    @Test func gatewayUnauthorizedShapeIsAnAuthFailure() async throws {
        let server = try LoopbackServer { _ in
            .json(#"{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: token expires","request_id":"gw-1"}"#, status: 401)
        }
        defer { server.stop() }
        let client = try client(server)
        let error = try #require(await failure { () throws(CCEError) in try await client.showJob(Self.jobID) })
        #expect(error.isAuthFailure && error.status == 401)
        #expect(error.code == "APIGW.0301")
        #expect(error.requestID == "gw-1")
        #expect(error.message.contains("token expires"))
        #expect(!error.description.contains("tok-secret"))
        #expect(server.requests.count == 1)
    }

    @Test func plainCodeMessageShapeIsRead() async throws {
        let server = try LoopbackServer { _ in .json(#"{"code":"CCE.01400001","message":"Invalid request"}"#, status: 400) }
        defer { server.stop() }
        let client = try client(server)
        let error = try #require(await failure { () throws(CCEError) in try await client.showJob(Self.jobID) })
        #expect(error.code == "CCE.01400001" && error.message.contains("Invalid request"))
    }

    @Test func throttlingHonoursRetryAfterSecondsAndDates() async throws {
        let now = Date(timeIntervalSince1970: 1_767_225_600)
        let server = try LoopbackServer { request in
            let retryAfter = request.index == 0 ? "3" : "Thu, 01 Jan 2026 00:00:07 GMT"
            return .json(#"{"error_code":"APIGW.0308","error_msg":"The throttling threshold has been reached: policy user over ratelimit"}"#,
                         status: 429, headers: [HTTPHeader("Retry-After", retryAfter)])
        }
        defer { server.stop() }
        let client = try client(server, now: { now })
        let first = try #require(await failure { () throws(CCEError) in try await client.showJob(Self.jobID) })
        #expect(first.isThrottled && first.code == "APIGW.0308")
        #expect(first.retryAfter == .seconds(3))
        let second = try #require(await failure { () throws(CCEError) in try await client.showJob(Self.jobID) })
        #expect(second.retryAfter == .seconds(7))
    }

    @Test func htmlWithStatus200IsADecodingErrorWithoutExcerpt() async throws {
        let server = try LoopbackServer { _ in .text("<html><title>Login portal</title></html>") }
        defer { server.stop() }
        let client = try client(server)
        let error = try #require(await failure { () throws(CCEError) in try await client.showJob(Self.jobID) })
        #expect(error.kind == .decoding && error.isTransient)
        #expect(error.message.contains("HTML page"))
        #expect(!error.description.contains("Login portal"))
    }

    @Test func truncatedAndNonJobJSONAreDecodingErrors() async throws {
        let server = try LoopbackServer { request in
            request.index == 0 ? .json(#"{"metadata":{"uid":"#) : .json(#"{"error_code":"X","error_msg":"odd"}"#)
        }
        defer { server.stop() }
        let client = try client(server)
        let truncated = try #require(await failure { () throws(CCEError) in try await client.showJob(Self.jobID) })
        #expect(truncated.kind == .decoding && truncated.message.contains("truncated JSON"))
        let notAJob = try #require(await failure { () throws(CCEError) in try await client.showJob(Self.jobID) })
        #expect(notAJob.kind == .decoding)
    }

    @Test(arguments: ["", "../etc/passwd", "a/b", "..", "job id", "j?x=1", String(repeating: "a", count: 129), "jöb"])
    func invalidJobIDsNeverReachTheNetwork(id: String) async throws {
        let server = try LoopbackServer { _ in .json("{}") }
        defer { server.stop() }
        let client = try client(server)
        let error = try #require(await failure { () throws(CCEError) in try await client.showJob(id) })
        #expect(error.kind == .invalidJobID && error.isInvalidJobID && !error.isTransient && error.jobID != nil)
        #expect(server.requests.isEmpty)
    }

    @Test func transportFailuresAreClassifiedAndNameTheJob() async throws {
        let closed = try RefusingPort()
        defer { withExtendedLifetime(closed) {} }  // the port refuses only while it lives
        let client = CCEClient(endpoint: try CCEEndpoint(url: closed.url("/")), projectID: "p123", http: CurlClient(),
                               credentials: StaticToken(Secret("tok")), timeout: .seconds(5), logger: .silent)
        let error = try #require(await failure { () throws(CCEError) in try await client.showJob("j1") })
        #expect(error.kind == .transport(.connectionRefused))
        #expect(error.jobID == "j1" && error.isTransient)
    }

    @Test func oversizedAnswerIsRefused() async throws {
        let server = try LoopbackServer { _ in .respond(body: Data(count: CCEClient.maxResponseBytes + 1)) }
        defer { server.stop() }
        let client = try client(server)
        let error = try #require(await failure { () throws(CCEError) in try await client.showJob(Self.jobID) })
        #expect(error.kind == .transport(.bodyTooLarge))
    }

    @Test func akskSignedRequestVerifiesOnTheWire() async throws {
        let clock = ManualNow()
        let server = try LoopbackServer { request in
            let ok = SDKSignature.verify(method: request.method, path: request.path, query: request.query,
                                         headers: request.headers, body: request.body, now: clock.date) { $0 == "AKTEST" ? "SKTEST" : nil }
            return ok ? .json(JobFixtures.documentationExample) : .json(#"{"error_code":"APIGW.0301","error_msg":"bad sig"}"#, status: 401)
        }
        defer { server.stop() }
        let signer = AKSKSigner(accessKey: Secret("AKTEST"), secretKey: Secret("SKTEST"), logger: .silent, now: clock.closure)
        let job = try await client(server, credentials: signer).showJob(Self.jobID)
        #expect(job.phase == "Running")
        let request = try #require(server.requests.first)
        #expect(request.header("Host") == "127.0.0.1:\(server.port)")
        #expect(request.header("X-Project-Id") == "p123")

        let wrong = AKSKSigner(accessKey: Secret("AKTEST"), secretKey: Secret("SKWRONG"), logger: .silent, now: clock.closure)
        let client = try client(server, credentials: wrong)
        let error = try #require(await failure { () throws(CCEError) in try await client.showJob(Self.jobID) })
        #expect(error.isAuthFailure)
        #expect(server.requests.count == 2, "AK/SK failures are never retried")
    }

    @Test func gatewayClockSkewIsLoggedOnce() async throws {
        let serverDate = "Thu, 01 Jan 2026 00:10:00 GMT"
        let server = try LoopbackServer { _ in .json(JobFixtures.documentationExample, headers: [HTTPHeader("Date", serverDate)]) }
        defer { server.stop() }
        let recorder = LogRecorder()
        let clock = ManualNow()
        let signer = AKSKSigner(accessKey: Secret("AKTEST"), secretKey: Secret("SKHIDDEN"), logger: recorder.logger, now: clock.closure)
        let client = try client(server, credentials: signer)
        _ = try await client.showJob(Self.jobID)
        _ = try await client.showJob(Self.jobID)
        let warnings = recorder.lines.filter { $0.level == .warning }
        #expect(warnings.count == 1)
        #expect(warnings.first?.metadata["skew_seconds"] == "600")
        #expect(!recorder.lines.contains { $0.text.contains("SKHIDDEN") })
    }
}
