import CurlHTTP
import Foundation
import JobhookCore
import Testing

/// Slow clients cannot hold the API: a request head trickled byte by byte and a body that never
/// completes both end in a closed connection within a bounded time, on a real socket.
@Suite("HTTP API connection timeouts")
struct ConnectionTimeoutTests {
    typealias H = APITestHarness

    @Test func headersTrickledByteByByteAreCutOffAtTheIdleTimeout() async throws {
        try await H.run(idleTimeout: .seconds(1)) { api in
            let connection = try RawConnection(port: api.port)
            // One byte every 200 ms for up to 8 s: were the timer reset per byte, this would last 8 s.
            let outcome = await connection.send(
                "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n", thenTrickle: "X-Slow: aaaaaaaaaaaaaaaa",
                every: .milliseconds(200), for: .seconds(8))
            let closedAfter = try #require(outcome.closedAfter, "the server kept a trickling connection open for 8 s")
            #expect(closedAfter >= .milliseconds(900))
            // Closing at all within the 8 s proves the point; the margin is for a loaded machine.
            #expect(closedAfter < .seconds(7))
            #expect(outcome.received.isEmpty, "no request was completed, so nothing is answered: \(outcome.received)")
        }
    }

    @Test func anIdleKeptAliveConnectionIsClosedToo() async throws {
        try await H.run(idleTimeout: .seconds(1)) { api in
            let connection = try RawConnection(port: api.port)
            let outcome = await connection.send(
                "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", thenTrickle: "", every: .milliseconds(200), for: .seconds(8))
            #expect(outcome.received.hasPrefix("HTTP/1.1 200"))
            #expect(try #require(outcome.closedAfter) < .seconds(7), "closing within the 8 s proves it; the margin is for load")
        }
    }

    @Test func aBodyThatStopsIsCutOffAtTheIdleTimeout() async throws {
        try await H.run(idleTimeout: .seconds(1), bodyTimeout: .seconds(30)) { api in
            let connection = try RawConnection(port: api.port)
            let outcome = await connection.send(
                "POST /v1/watches HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"job_id\"",
                thenTrickle: "", every: .milliseconds(200), for: .seconds(8))
            #expect(try #require(outcome.closedAfter, "a stalled body held the connection for 8 s") < .seconds(7))
            #expect(try await api.store.watches().isEmpty)
        }
    }

    @Test func aBodyTrickledPastTheBodyTimeoutIs408AndTheConnectionCloses() async throws {
        // The idle timer is well above the body deadline: on a loaded machine the trickling client
        // can stall for seconds, and an idle close before the 408 would answer nothing (seen in CI).
        try await H.run(idleTimeout: .seconds(4), bodyTimeout: .seconds(1)) { api in
            let connection = try RawConnection(port: api.port)
            // Every byte is activity for the idle timer; only the body deadline bounds this.
            let outcome = await connection.send(
                "POST /v1/watches HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n",
                thenTrickle: " ", every: .milliseconds(200), for: .seconds(12))
            #expect(outcome.received.hasPrefix("HTTP/1.1 408"), "\(outcome.received)")
            #expect(outcome.received.contains(#"{"error":"the request body did not arrive within 1 s"}"#))
            let closedAfter = try #require(outcome.closedAfter, "a trickled body held the connection for 12 s")
            // The answer goes out at 1 s; jobhook reads nothing more, so the idle timer (4 s) ends it.
            #expect(closedAfter < .seconds(10))
            #expect(try await api.store.watches().isEmpty)
        }
    }

    @Test func connectionsBeyondTheCapWaitUntilOneCloses() async throws {
        try await H.run(idleTimeout: .seconds(2), maxConnections: 2) { api in
            // Two silent clients take both places; a third request waits in the accept queue
            // until the idle timer closes one of them.
            let clock = ContinuousClock()
            let connected = clock.now
            let silent = [try RawConnection(port: api.port), try RawConnection(port: api.port)]
            try await Task.sleep(for: .milliseconds(300))
            let third = try await api.send("GET", "/healthz")
            #expect(third.status == 200)
            #expect(clock.now - connected >= .milliseconds(1800), "served before a place was free")
            withExtendedLifetime(silent) {}
        }
    }
}
