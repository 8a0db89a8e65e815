import CurlHTTP
import Foundation
import Testing
import TestSupport

/// Log output never stalls the daemon: the poller runs on the HTTP thread, so a blocking write to a
/// stderr nobody reads would stop polls and webhooks alike.
@Suite(.serialized) struct LoggingEndToEndTests {
    static let scenario = """
        project_id: p1
        jobs:
          - id: job-fail
            type: CreateCluster
            resource_name: alpha
            timeline:
              - {after: 0s, phase: Running}
              - {after: 500ms, phase: Failed, reason: quota}
          - id: job-slow
            type: CreateCluster
            timeline:
              - {after: 0s, phase: Running}
              - {after: 1h, phase: Success}
        """

    /// A pipe whose 64 KiB buffer is full before the daemon starts, and that this test never reads:
    /// with a blocking writer the daemon's first log line would never return.
    static func fullPipe() -> Pipe {
        let pipe = Pipe()
        let fd = pipe.fileHandleForWriting.fileDescriptor
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        let newlines = [UInt8](repeating: UInt8(ascii: "\n"), count: 4096)
        while write(fd, newlines, newlines.count) > 0 {}
        while write(fd, newlines, 1) > 0 {}  // the last bytes a 4 KiB write refused
        _ = fcntl(fd, F_SETFL, flags)
        return pipe
    }

    @Test func pollsAndDeliveriesGoOnWhileStandardErrorIsNotRead() async throws {
        let harness = try await Harness(scenario: Self.scenario)
        let receiver = try LoopbackServer { _ in .status(200) }
        defer { receiver.stop() }
        let config = try harness.writeConfig(
            receivers: """
              - name: chat
                url: \(receiver.url("/chat"))
                body: {text: "{{job.reason}}"}
            """,
            rules: """
              - name: failed
                match: {phase: Failed}
                notify: [chat]
            """,
            watch: ["job-fail", "job-slow"])
        let stderr = Self.fullPipe()
        defer {
            try? stderr.fileHandleForReading.close()
            try? stderr.fileHandleForWriting.close()
        }
        let daemon = try ChildProcess(jobhookBinary(), ["run", "-c", config, "--log-level", "debug"],
                                      standardError: stderr.fileHandleForWriting)
        let delivered = await eventually(timeout: .seconds(30)) { receiver.requests.count >= 1 }
        let before = try await harness.served().total
        // job-slow keeps running: its polls must go on after the delivery, too.
        let polling = await eventually(timeout: .seconds(10)) { (try? await harness.served().total).map { $0 >= before + 5 } ?? false }
        daemon.signal(SIGTERM)
        let started = ContinuousClock.now
        let status = await daemon.waitForExit(timeout: .seconds(15))
        let exitTook = ContinuousClock.now - started
        await harness.stop()
        #expect(delivered, "no delivery while stderr was full")
        #expect(polling, "polls stopped while stderr was full")
        #expect(receiver.requests.first?.bodyJSON as? [String: String] == ["text": "quota"])
        // Shutdown drains (up to 10 s) and flushes logs for at most 1 s, even into a full pipe.
        #expect(status == 0)
        #expect(exitTook < .seconds(12))
    }
}
