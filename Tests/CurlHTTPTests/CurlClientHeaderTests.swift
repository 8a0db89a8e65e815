import CurlHTTP
import Foundation
import Testing
import TestSupport

/// Header and URL edge cases of the byte-level fast paths: results must match the Unicode-aware
/// (Foundation) handling they replaced.
@Suite struct CurlClientHeaderTests {
    @Test func responseHeaderNamesAndValuesAreTrimmedAndSplitAtTheFirstColon() async throws {
        let server = try LoopbackServer { _ in
            .status(200, headers: [
                HTTPHeader("X-Padded", " \t padded value \t "),
                HTTPHeader("X-Spaced-Name \t", "v"),
                HTTPHeader("X-Url", "http://example.com:8080/a"),
                HTTPHeader("X-Empty", ""),
                HTTPHeader("X-Unicode", "\u{00A0}grüße\u{3000}"),
                HTTPHeader("X-Inner", "a \t b"),
            ])
        }
        defer { server.stop() }
        let client = CurlClient()
        defer { client.shutdown() }

        let response = try await client.send(HTTPRequest(url: server.url("/")))

        #expect(response.header("X-Padded") == "padded value")
        #expect(response.header("X-Spaced-Name") == "v")
        #expect(response.header("x-url") == "http://example.com:8080/a")
        #expect(response.header("X-Empty") == "")
        #expect(response.header("X-Unicode") == "grüße")
        #expect(response.header("X-Inner") == "a \t b")
        #expect(response.headers.map(\.name).prefix(6) == ["X-Padded", "X-Spaced-Name", "X-Url", "X-Empty", "X-Unicode", "X-Inner"])
        #expect(!response.headers.contains { $0.name.isEmpty || $0.name.hasPrefix("HTTP/") })
    }

    @Test func requestHeadersAreTrimmedAndDefaultsAreSuppressedWhateverTheirCase() async throws {
        let server = try LoopbackServer { _ in .status(200) }
        defer { server.stop() }
        let client = CurlClient()
        defer { client.shutdown() }
        let request = HTTPRequest(method: "POST", url: server.url("/hook"), headers: [
            HTTPHeader("content-TYPE", "text/plain"),
            HTTPHeader("ACCEPT", "  */*\t"),
            HTTPHeader("x-padded", " \u{00A0}wert\u{2003} "),
            HTTPHeader("X-Co:lon", "kept"),
            HTTPHeader("X-Blank", "   "),
            HTTPHeader(":\r\n", "dropped"),
            HTTPHeader("X-Multi", "a\nb\rc"),
        ], body: Data("x".utf8))

        _ = try await client.send(request)

        let received = try #require(server.requests.first)
        #expect(received.headerValues("Content-Type") == ["text/plain"])
        #expect(received.headerValues("Accept") == ["*/*"])
        #expect(received.header("X-Padded") == "wert")
        #expect(received.header("X-Colon") == "kept")
        #expect(received.header("X-Blank") == "")
        #expect(received.header("X-Multi") == "a b c")
        #expect(!received.headers.contains { $0.value == "dropped" })
        #expect(received.header("Expect") == nil)
        #expect(received.headerValues("User-Agent") == ["jobhook/\(JobhookVersion.current)"])
    }

    @Test func schemeIsCheckedCaseInsensitively() async throws {
        let server = try LoopbackServer { _ in .status(204) }
        defer { server.stop() }
        let closed = try RefusingPort()
        defer { withExtendedLifetime(closed) {} }  // the port refuses only while it lives
        let closedPort = closed.port
        let client = CurlClient()
        defer { client.shutdown() }

        #expect(try await client.send(HTTPRequest(url: "HTTP://127.0.0.1:\(server.port)/x")).status == 204)
        // Passing the scheme check, https reaches the network: refused, not rejected as invalid.
        let error = await #expect(throws: HTTPError.self) { try await client.send(HTTPRequest(url: "hTTpS://127.0.0.1:\(closedPort)/x")) }
        #expect(error?.kind == .connectionRefused)
    }

    @Test(arguments: ["http:127.0.0.1", "http://user:SECRETPW@/x", "http://", "http://?q=SECRETQ", "http://h:SECRETPORT/", "1http://h/", "sftp+x://h/", "//h/x"])
    func malformedURLsFailAsInvalidURLWithoutLeakingParts(url: String) async throws {
        let client = CurlClient()
        defer { client.shutdown() }

        let error = await #expect(throws: HTTPError.self) { try await client.send(HTTPRequest(url: url)) }

        #expect(error?.kind == .invalidURL)
        #expect(error?.message.contains("SECRET") == false)
    }

    @Test func ipv6HostsAreShownInBracketsOnceAndCredentialsNever() async throws {
        let closed = try RefusingPort()
        defer { withExtendedLifetime(closed) {} }
        let port = closed.port
        let client = CurlClient()
        defer { client.shutdown() }

        let error = await #expect(throws: HTTPError.self) {
            try await client.send(HTTPRequest(url: "http://us%65r:p%40ss@[::1]:\(port)/a/LONGSECRETSEGMENT?t=SECRETQ#frag"))
        }

        let message = try #require(error?.message)
        #expect(message.contains("[::1]:\(port)"))
        #expect(!message.contains("[[") && !message.contains("SECRET") && !message.contains("p@ss") && !message.contains("p%40ss"))
    }
}
