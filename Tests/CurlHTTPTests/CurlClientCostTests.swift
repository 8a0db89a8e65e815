import CurlHTTP
import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Prints CPU cost per request; never asserts speed. Runs only with JOBHOOK_MEASURE=1 so it does not
/// burn the shared machine's cores in ordinary test runs.
@Suite struct CurlClientCostTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["JOBHOOK_MEASURE"] == "1"))
    func cpuTimePerSequentialRequestIsPrinted() async throws {
        let json = #"{"kind":"Job","metadata":{"uid":"\#(String(repeating: "a", count: 1400))"}}"#
        let server = try LoopbackServer { _ in .json(json) }
        defer { server.stop() }
        let client = CurlClient()
        defer { client.shutdown() }
        let request = HTTPRequest(url: server.url("/api/v3/projects/p/jobs/j"))
        _ = try await client.send(request)

        let count = 10_000
        let before = Self.cpuSeconds()
        let started = ContinuousClock.now
        for _ in 0..<count {
            let response = try await client.send(request)
            #expect(response.body.count == json.utf8.count)
        }
        let cpu = Self.cpuSeconds() - before
        let wall = ContinuousClock.now - started
        print("CurlClient cost: \(count) sequential GETs of \(json.utf8.count) B, \(server.connectionsAccepted) connection(s): "
            + String(format: "%.1f µs CPU per request (client + in-process server), wall %@", cpu / Double(count) * 1e6, "\(wall)"))
    }

    private static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
