import Foundation
import Testing
import TestSupport

/// `bench/run --quick` runs the whole benchmark harness with tiny N, so it never rots. Speed is never
/// asserted here: only that the harness completes and prints its table.
@Suite(.serialized) struct BenchQuickTests {
    @Test func quickBenchmarkCompletesAndPrintsTheTable() async throws {
        let root = packageRoot()
        // The already built jobhook (no release build inside the test); the SDK peer is skipped by the
        // harness itself when PyPI cannot be reached.
        // At the lowest CPU priority: the benchmark keeps both cores busy for a minute, and the timing
        // tests running beside it in the suite must not starve (they failed on a 2-core machine).
        let bench = try ChildProcess("/usr/bin/nice", ["-n", "19", "/bin/bash", "\(root)/bench/run", "--quick", "--jobhook", jobhookBinary()],
                                     directory: root)
        // Killed after the timeout; the harness's own children die with it (PR_SET_PDEATHSIG).
        let status = await bench.waitForExit(timeout: .seconds(420))
        #expect(status == 0, "stdout:\n\(bench.stdout)\nstderr:\n\(bench.stderr)")
        #expect(bench.stdout.contains("Poll cost"))
        #expect(bench.stdout.contains("Latency, change on the simulator"))
        #expect(bench.stdout.contains("Delivery burst"))
        #expect(bench.stdout.contains("Targets (issue 8)"))
        #expect(bench.stdout.contains("notification sent -> first ShowJob"))
        #expect(bench.stdout.contains("PostgreSQL CPU/poll"))
    }
}
