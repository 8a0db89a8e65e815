import Foundation
import Testing

/// Bytes that are not HTTP get the API's JSON error too, never a bare 400, a 500 or a hang.
@Suite("HTTP API malformed requests")
struct MalformedRequestTests {
    typealias H = APITestHarness

    static func exchange(_ api: APITestHarness, _ bytes: String) async throws -> RawConnection.Outcome {
        let connection = try RawConnection(port: api.port)
        return await connection.send(bytes, thenTrickle: "", every: .milliseconds(200), for: .seconds(20))  // ends at the hang-up; long for a loaded or instrumented run
    }

    @Test(arguments: [
        ("BLAH\r\n\r\n", "invalid HTTP method"),
        ("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 100_000))\r\n\r\n", "too many header bytes seen; overflow detected"),
        ("POST /v1/watches HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", nil),
        ("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", nil),
    ] as [(String, String?)])
    func bytesThatAreNotHTTPGetAJSON400AndAClose(request: String, reason: String?) async throws {
        try await H.run { api in
            let outcome = try await Self.exchange(api, request)
            #expect(outcome.received.hasPrefix("HTTP/1.1 400"), "\(outcome.received.prefix(200))")
            #expect(outcome.received.contains(#"{"error":"malformed HTTP request: "#))
            if let reason { #expect(outcome.received.contains(reason), "\(outcome.received.prefix(300))") }
            #expect(outcome.closedAfter != nil)
        }
    }

    @Test func garbageAfterAnAnsweredRequestIsAnsweredAfterIt() async throws {
        try await H.run { api in
            let outcome = try await Self.exchange(api, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nBLAH\r\n\r\n")
            #expect(outcome.received.hasPrefix("HTTP/1.1 200"))
            #expect(outcome.received.contains(#"{"error":"malformed HTTP request: invalid HTTP method"}"#), "\(outcome.received)")
            #expect(outcome.closedAfter != nil)
        }
    }

    /// Found by probing by hand: a bad chunk size inside a body was a 500 "internal error",
    /// logged as the server's own failure.
    @Test func brokenChunkedFramingInABodyIsA400() async throws {
        try await H.run { api in
            let connection = try RawConnection(port: api.port)
            let outcome = await connection.send(
                "POST /v1/watches HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"job\r\nzz\r\nbroken\r\n\r\n",
                thenTrickle: "", every: .milliseconds(200), for: .seconds(20))  // ends at the hang-up; long for a loaded or instrumented run
            #expect(outcome.received.hasPrefix("HTTP/1.1 400"), "\(outcome.received)")
            #expect(outcome.received.contains(#"{"error":"malformed HTTP request: invalid character in chunk size header"}"#))
            #expect(outcome.closedAfter != nil)
        }
    }
}
