import CurlHTTP
import Foundation
import Testing
import TestSupport

/// The happy paths of `CurlClient` against a real loopback server.
@Suite struct CurlClientTests {
    @Test func sequentialRequestsReuseOneConnection() async throws {
        let server = try LoopbackServer { .text("hello \($0.path)") }
        defer { server.stop() }
        let client = CurlClient()
        defer { client.shutdown() }

        for index in 0..<5 {
            let response = try await client.send(HTTPRequest(url: server.url("/n\(index)")))
            #expect(response.status == 200)
            #expect(String(decoding: response.body, as: UTF8.self) == "hello /n\(index)")
        }
        #expect(server.connectionsAccepted == 1)
        #expect(server.requests.map(\.connection) == [0, 0, 0, 0, 0])
    }

    @Test func fiftyConcurrentRequestsAllSucceed() async throws {
        let server = try LoopbackServer { .delay(.milliseconds(20), then: .text($0.path)) }
        defer { server.stop() }
        let client = CurlClient()
        defer { client.shutdown() }

        let bodies = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for index in 0..<50 {
                group.addTask {
                    let response = try await client.send(HTTPRequest(url: server.url("/item/\(index)")))
                    return (index, String(decoding: response.body, as: UTF8.self))
                }
            }
            var bodies: [Int: String] = [:]
            for try await (index, body) in group { bodies[index] = body }
            return bodies
        }
        #expect(bodies.count == 50)
        for index in 0..<50 { #expect(bodies[index] == "/item/\(index)") }
        #expect(server.requests.count == 50)
    }

    @Test func postBodyBytesArriveExactly() async throws {
        let server = try LoopbackServer { _ in .status(204) }
        defer { server.stop() }
        let client = CurlClient()
        defer { client.shutdown() }
        let body = Data([0, 1, 2, 0, 255, 13, 10]) + Data("héllo ✓ 你好\0end".utf8)

        let response = try await client.send(HTTPRequest(method: "POST", url: server.url("/hook"), body: body))

        #expect(response.status == 204)
        let received = try #require(server.requests.first)
        #expect(received.method == "POST")
        #expect(received.body == body)
        #expect(received.header("Content-Length") == "\(body.count)")
        // libcurl's own defaults must not leak onto the wire.
        #expect(received.header("Expect") == nil)
        #expect(received.header("Accept") == nil)
        #expect(received.header("Content-Type") == nil)
        #expect(received.header("User-Agent") == "jobhook/\(JobhookVersion.current)")
    }

    @Test func customMethodsAndEmptyPostAreSentAsAsked() async throws {
        let server = try LoopbackServer { _ in .status(200) }
        defer { server.stop() }
        let client = CurlClient()
        defer { client.shutdown() }

        _ = try await client.send(HTTPRequest(method: "PUT", url: server.url("/a"), body: Data("x".utf8)))
        _ = try await client.send(HTTPRequest(method: "DELETE", url: server.url("/b")))
        _ = try await client.send(HTTPRequest(method: "POST", url: server.url("/c")))

        let received = server.requests
        #expect(received.map(\.method) == ["PUT", "DELETE", "POST"])
        #expect(received[0].bodyText == "x")
        #expect(received[2].header("Content-Length") == "0")
    }

    @Test func customHeadersArriveAndLineBreaksCannotInjectHeaders() async throws {
        let server = try LoopbackServer { _ in .status(200) }
        defer { server.stop() }
        let client = CurlClient()
        defer { client.shutdown() }
        let request = HTTPRequest(method: "POST", url: server.url("/hook"), headers: [
            HTTPHeader("Content-Type", "application/json"),
            HTTPHeader("X-Token", "abc"),
            HTTPHeader("Accept", "application/vnd.github+json"),
            HTTPHeader("X-Evil", "a\r\nX-Injected: 1"),
            HTTPHeader("User-Agent", "custom/1"),
        ], body: Data("{}".utf8))

        _ = try await client.send(request)

        let received = try #require(server.requests.first)
        #expect(received.header("content-type") == "application/json")
        #expect(received.header("X-Token") == "abc")
        #expect(received.header("Accept") == "application/vnd.github+json")
        #expect(received.header("X-Injected") == nil)
        #expect(received.header("X-Evil") == "a  X-Injected: 1")
        #expect(received.headerValues("User-Agent") == ["custom/1"])
    }

    @Test func responseHeadersAreParsedWithCaseInsensitiveLookup() async throws {
        let server = try LoopbackServer { _ in
            .json(#"{"code":0}"#, status: 201, headers: [HTTPHeader("X-Request-Id", "req-7"), HTTPHeader("Retry-After", "30")])
        }
        defer { server.stop() }
        let client = CurlClient()
        defer { client.shutdown() }

        let response = try await client.send(HTTPRequest(url: server.url("/")))

        #expect(response.status == 201)
        #expect(response.header("x-request-id") == "req-7")
        #expect(response.header("RETRY-AFTER") == "30")
        #expect(response.header("content-type") == "application/json")
        #expect(!response.headers.contains { $0.name.hasPrefix("HTTP/") })
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"code":0}"#)
    }

    @Test func queryStringReachesTheServerIntact() async throws {
        let server = try LoopbackServer { _ in .status(200) }
        defer { server.stop() }
        let client = CurlClient()
        defer { client.shutdown() }

        _ = try await client.send(HTTPRequest(url: server.url("/robot/send?access_token=t%2B1&x=2")))

        let received = try #require(server.requests.first)
        #expect(received.path == "/robot/send")
        #expect(received.query == "access_token=t%2B1&x=2")
        #expect(received.queryItem("access_token") == "t+1")
    }
}
