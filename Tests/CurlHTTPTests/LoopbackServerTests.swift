import CurlHTTP
import Foundation
import Testing
import TestSupport

/// The loopback server itself: other test targets lean on these behaviours.
@Suite struct LoopbackServerTests {
    @Test func chunkedRequestBodiesAreDecodedAndKeepAliveHolds() async throws {
        let server = try LoopbackServer { .text("got \($0.bodyText)") }
        defer { server.stop() }
        let client = CurlClient()
        defer { client.shutdown() }
        let chunked = HTTPRequest(method: "POST", url: server.url("/c"), headers: [HTTPHeader("Transfer-Encoding", "chunked")], body: Data("hello chunks".utf8))

        let first = try await client.send(chunked)
        let second = try await client.send(HTTPRequest(url: server.url("/after")))

        #expect(String(decoding: first.body, as: UTF8.self) == "got hello chunks")
        #expect(second.status == 200)
        #expect(server.requests.map(\.bodyText) == ["hello chunks", ""])
        #expect(server.connectionsAccepted == 1)
    }

    @Test func handlerCanBeReplacedAndRequestsAreIndexed() async throws {
        let server = try LoopbackServer { _ in .status(503) }
        defer { server.stop() }
        let client = CurlClient()
        defer { client.shutdown() }

        let first = try await client.send(HTTPRequest(url: server.url("/")))
        server.setHandler { .status($0.index == 1 ? 200 : 500) }
        let second = try await client.send(HTTPRequest(url: server.url("/")))

        #expect(first.status == 503)
        #expect(second.status == 200)
        #expect(server.requests.map(\.index) == [0, 1])
    }
}
