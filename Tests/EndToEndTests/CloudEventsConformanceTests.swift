import CurlHTTP
import Foundation
import Testing
import TestSupport

/// SPEC § CloudEvents, judged by an independent implementation: a real daemon sends a job's changes
/// in both modes to a loopback receiver, and the official CloudEvents SDK for Python parses every
/// captured request (`scripts/cloudevents-check`, which installs it into a throwaway venv from PyPI).
/// The job's type holds non-ASCII text, a space and `%`, so binary mode's `ce-jobtype` header must be
/// percent-encoded and decode back to it.
@Suite struct CloudEventsConformanceTests {
    static let jobType = "CreateCluster 集群 100%"

    @Test func bothModesParseWithTheOfficialPythonSDK() async throws {
        let harness = try await Harness(scenario: """
            project_id: p1
            jobs:
              - id: job-ce
                type: \(RunEndToEndTests.jsonString(Self.jobType))
                cluster_id: c-ce
                timeline:
                  - {after: 0s, phase: Running, subjobs: [{id: job-ce-master, type: InstallMaster, phase: Running}]}
                  - {after: 300ms, phase: Failed, reason: "quota 100% 配额不足", subjobs: [{id: job-ce-master, type: InstallMaster, phase: Failed}]}
            """)
        defer { harness.dir.cleanUp() }
        let receiver = try LoopbackServer { _ in .status(202) }
        defer { receiver.stop() }
        let config = try harness.writeConfig(
            receivers: """
              - {name: structured, url: \(receiver.url("/structured")), format: cloudevents}
              - {name: binary, url: \(receiver.url("/binary")), format: cloudevents-binary}
            """,
            rules: """
              - name: all
                match: {level: job}
                notify: [structured, binary]
            """,
            watch: ["job-ce"])
        let daemon = try harness.startDaemon(config: config)
        // The Failed event in each mode (a Running one comes first when the first poll sees it).
        let sent = await eventually(timeout: .seconds(30)) {
            receiver.requests.filter { String(decoding: $0.body, as: UTF8.self).contains(#""to":"Failed""#) }.count >= 2
        }
        daemon.signal(SIGTERM)
        _ = await daemon.waitForExit()
        await harness.simulator.kill9()
        try #require(sent, "\(receiver.requests.count) requests; stderr: \(daemon.stderr)")

        let captured = receiver.requests.map { request -> [String: Any] in
            ["headers": request.headers.map { [$0.name, $0.value] }, "body": request.body.base64EncodedString()]
        }
        let capturedFile = harness.dir.file("captured.json")
        try JSONSerialization.data(withJSONObject: captured).write(to: URL(fileURLWithPath: capturedFile))
        let expectedFile = harness.dir.file("expected.json")
        try JSONSerialization.data(withJSONObject: ["jobtype": Self.jobType, "source": "/cce/cn-north-4/projects/p1/jobs/job-ce"])
            .write(to: URL(fileURLWithPath: expectedFile))

        let check = try ChildProcess(packageRoot() + "/scripts/cloudevents-check", [capturedFile, expectedFile])
        let status = await check.waitForExit(timeout: .seconds(400))
        #expect(status == 0, "stdout: \(check.stdout)\nstderr: \(check.stderr)")
        #expect(check.stdout.contains("events parsed by the CloudEvents SDK (binary, structured)"), "\(check.stdout)")
        #expect(check.stdout.contains("com.huaweicloud.cce.job.failed"), "\(check.stdout)")
    }
}
