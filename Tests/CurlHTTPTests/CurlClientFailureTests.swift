import CurlHTTP
import Foundation
import Testing
import TestSupport

/// How `CurlClient` fails: each failure has its kind, a one-line message and no secrets.
@Suite struct CurlClientFailureTests {
    /// Runs `send` expecting an `HTTPError`; records an issue if it succeeds.
    func failure(_ client: CurlClient, _ request: HTTPRequest) async -> HTTPError? {
        do {
            let response = try await client.send(request)
            Issue.record("expected a failure, got status \(response.status)")
            return nil
        } catch {
            #expect(!error.message.contains("\n"))
            return error
        }
    }

    /// Issue 16: an HTTP/0.9 reply (or another protocol on the port) was called an "invalid URL".
    @Test(arguments: ["hello, no status line\n", "SSH-2.0-OpenSSH_9.2\r\n"])
    func anAnswerThatIsNotHTTPSaysSo(reply: String) async throws {
        let server = try LoopbackServer { _ in .raw(Data(reply.utf8)) }
        defer { server.stop() }
        let client = CurlClient()
        defer { client.shutdown() }
        let error = await failure(client, HTTPRequest(url: server.url("/hook")))
        #expect(error?.kind == .notHTTP)
        #expect(error?.isTransient == true)
        #expect(error?.message.hasPrefix("127.0.0.1:\(server.port) did not answer in HTTP/1.x or HTTP/2") == true, "\(String(describing: error))")
    }

    @Test func totalTimeoutFiresOnASlowServerAndTheClientKeepsWorking() async throws {
        let server = try LoopbackServer { $0.path == "/slow" ? .delay(.seconds(10), then: .status(200)) : .text("fast") }
        defer { server.stop() }
        let client = CurlClient()
        defer { client.shutdown() }

        let error = await failure(client, HTTPRequest(url: server.url("/slow"), timeout: .milliseconds(300)))
        #expect(error?.kind == .timeout)
        #expect(error?.message.contains("timed out after 300ms talking to 127.0.0.1:\(server.port)") == true)

        // A warm connection too: the timeout still counts as a timeout, not a connect failure.
        let fast = try await client.send(HTTPRequest(url: server.url("/fast")))
        #expect(String(decoding: fast.body, as: UTF8.self) == "fast")
        let again = await failure(client, HTTPRequest(url: server.url("/slow"), timeout: .milliseconds(200)))
        #expect(again?.kind == .timeout)
        #expect(try await client.send(HTTPRequest(url: server.url("/fast"))).status == 200)
    }

    @Test(arguments: [false, true])
    func bodyOverTheCapFailsAsBodyTooLarge(declaresLength: Bool) async throws {
        let big = Data(repeating: 0x61, count: 2 << 20)
        let server = try LoopbackServer { _ in declaresLength ? .respond(body: big) : .unframed(body: big) }
        defer { server.stop() }
        let client = CurlClient()
        defer { client.shutdown() }

        let error = await failure(client, HTTPRequest(url: server.url("/big"), maxResponseBytes: 1 << 20))

        #expect(error?.kind == .bodyTooLarge)
        #expect(error?.message.contains("larger than 1048576 bytes") == true)
        let small = try await client.send(HTTPRequest(url: server.url("/big"), maxResponseBytes: 4 << 20))
        #expect(small.body.count == big.count)
    }

    @Test func cancellingTheTaskAbortsTheTransferPromptly() async throws {
        let server = try LoopbackServer { $0.path == "/hang" ? .hang : .status(200) }
        defer { server.stop() }
        let client = CurlClient()
        defer { client.shutdown() }

        let clock = ContinuousClock()
        let started = clock.now
        let task = Task { try await client.send(HTTPRequest(url: server.url("/hang"), timeout: .seconds(60))) }
        #expect(await eventually { server.requests.count == 1 })
        task.cancel()
        let result = await task.result

        #expect(clock.now - started < .seconds(30))
        #expect((result.failure as? HTTPError)?.kind == .cancelled)
        #expect(try await client.send(HTTPRequest(url: server.url("/ok"))).status == 200)
    }

    @Test func anAlreadyCancelledTaskSendsNothing() async throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        let client = CurlClient()
        defer { client.shutdown() }

        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await client.send(HTTPRequest(url: server.url("/")))
        }
        let result = await task.result

        #expect((result.failure as? HTTPError)?.kind == .cancelled)
        #expect(server.requests.isEmpty)
    }

    @Test func closedPortFailsAsConnectionRefusedWithoutLeakingTheToken() async throws {
        let closed = try RefusingPort()
        defer { withExtendedLifetime(closed) {} }  // the port refuses only while it lives
        let port = closed.port
        let client = CurlClient()
        defer { client.shutdown() }

        let error = await failure(client, HTTPRequest(url: "http://user:pa55word@127.0.0.1:\(port)/hook/SECRETPATH123?access_token=SECRET123"))

        #expect(error?.kind == .connectionRefused)
        #expect(error?.message.hasPrefix("connection refused by 127.0.0.1:\(port)") == true)
        for secret in ["SECRET123", "SECRETPATH123", "pa55word", "user", "access_token"] {
            #expect(error?.description.contains(secret) == false, "message leaks \(secret)")
        }
    }

    @Test func timeoutMessageDoesNotLeakTheQueryToken() async throws {
        let server = try LoopbackServer { _ in .hang }
        defer { server.stop() }
        let client = CurlClient()
        defer { client.shutdown() }

        let error = await failure(client, HTTPRequest(url: server.url("/send?key=SECRET456"), timeout: .milliseconds(200)))

        #expect(error?.kind == .timeout)
        #expect(error?.description.contains("SECRET456") == false)
    }

    @Test(arguments: ["ftp://127.0.0.1:PORT/x", "file:///etc/passwd", "gopher://127.0.0.1:PORT/", "127.0.0.1:PORT/x", "http:///nohost", "not a url"])
    func nonHTTPURLFailsAsInvalidURLWithoutIO(url: String) async throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        let client = CurlClient()
        defer { client.shutdown() }

        let error = await failure(client, HTTPRequest(url: url.replacingOccurrences(of: "PORT", with: "\(server.port)")))

        #expect(error?.kind == .invalidURL)
        #expect(error?.message.contains("passwd") == false)
        #expect(server.connectionsAccepted == 0)
    }

    @Test func truncatedResponseFailsAsConnectionLost() async throws {
        let server = try LoopbackServer { _ in .truncated(declaredLength: 1000, body: Data("only a part".utf8)) }
        defer { server.stop() }
        let client = CurlClient()
        defer { client.shutdown() }

        let error = await failure(client, HTTPRequest(url: server.url("/")))

        #expect(error?.kind == .connectionLost)
    }

    @Test func closeWithoutAnswerFailsAsConnectionLost() async throws {
        let server = try LoopbackServer { _ in .close }
        defer { server.stop() }
        let client = CurlClient()
        defer { client.shutdown() }

        let error = await failure(client, HTTPRequest(url: server.url("/")))

        #expect(error?.kind == .connectionLost)
    }

    @Test func unresolvableHostFailsAsDNS() async throws {
        let client = CurlClient()
        defer { client.shutdown() }

        let error = await failure(client, HTTPRequest(url: "http://no-such-host.invalid/x?token=SECRET789", timeout: .seconds(10)))

        #expect(error?.kind == .dns)
        #expect(error?.description.contains("SECRET789") == false)
    }

    @Test func shutdownFailsOutstandingAndLaterRequestsAsCancelled() async throws {
        let server = try LoopbackServer { _ in .hang }
        defer { server.stop() }
        let client = CurlClient()

        let task = Task { try await client.send(HTTPRequest(url: server.url("/"), timeout: .seconds(60))) }
        #expect(await eventually { server.requests.count == 1 })
        client.shutdown()

        #expect(((await task.result).failure as? HTTPError)?.kind == .cancelled)
        let later = await failure(client, HTTPRequest(url: server.url("/")))
        #expect(later?.kind == .cancelled)
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

extension CurlClientFailureTests {
    /// A connect that never completes is `.connectFailed` (the receiver was never reached), not `.timeout`.
    @Test func stalledConnectFailsAsConnectFailedWithinTheConnectTimeout() async throws {
        let stalled = try StalledListener()
        let client = CurlClient()
        defer { client.shutdown() }

        let error = await failure(client, HTTPRequest(url: stalled.url("/x?token=SECRETX"), connectTimeout: .milliseconds(300), timeout: .seconds(20)))

        #expect(error?.kind == .connectFailed)
        #expect(error?.message.contains("could not connect to 127.0.0.1:\(stalled.port) within 300ms") == true)
        #expect(error?.description.contains("SECRETX") == false)
    }
}
