import CurlHTTP
import Foundation
import Testing
import TestSupport

/// `jobhook watch` as a CI job would run it: no config file, credentials from the SDK environment
/// variables, exit status telling the outcome.
@Suite(.serialized) struct WatchEndToEndTests {
    static func scenario(auth: String = "") -> String {
        """
        project_id: p1
        \(auth)
        jobs:
          - id: job-ok
            type: CreateCluster
            timeline:
              - {after: 0s, phase: Running, subjobs: [{id: job-ok-master, type: InstallMaster, phase: Running}]}
              - {after: 300ms, phase: Success, subjobs: [{id: job-ok-master, type: InstallMaster, phase: Success}]}
          - id: job-fail
            type: CreateCluster
            timeline:
              - {after: 0s, phase: Running}
              - {after: 300ms, phase: Failed, reason: quota}
          - id: job-slow
            type: CreateCluster
            timeline:
              - {after: 0s, phase: Running}
              - {after: 1h, phase: Success}
          - id: job-moved
            type: CreateCluster
            timeline:
              - {after: 0s, phase: Running}
        faults:
          - {job: job-moved, requests: [1, 2, 3, 4, 5, 6, 7, 8], status: 301}
        """
    }

    func watch(_ harness: Harness, _ jobs: [String], extra: [String] = [], environment: [String: String]) async throws -> ChildProcess {
        let process = try ChildProcess(
            jobhookBinary(),
            ["watch"] + jobs + ["--region", "cn-north-4", "--endpoint", harness.cceEndpoint, "--interval", "200ms"] + extra,
            environment: ["HUAWEICLOUD_SDK_PROJECT_ID": "p1", "JOBHOOK_CONFIG": ""].merging(environment) { _, new in new },
            directory: harness.dir.path)
        await process.waitForExit(timeout: .seconds(30))
        return process
    }

    @Test func exitCodesTellSuccessFailureTimeoutAndUnknownJobs() async throws {
        let harness = try await Harness(scenario: Self.scenario())
        defer { Task { await harness.stop() } }
        let env = ["HUAWEICLOUD_SDK_AK": "AK", "HUAWEICLOUD_SDK_SK": "SK"]
        let ok = try await watch(harness, ["job-ok"], extra: ["--json"], environment: env)
        #expect(ok.waitStatus == 0, "\(ok.stderr)")
        let lines = ok.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(lines.last?["event"] as? String == "finished")
        #expect(lines.contains { $0["uid"] as? String == "job-ok-master" && $0["to"] as? String == "Success" })
        let failed = try await watch(harness, ["job-ok", "job-fail"], environment: env)
        #expect(failed.waitStatus == 1)
        #expect(failed.stdout.contains("Failed: quota"))
        let slow = try await watch(harness, ["job-slow"], extra: ["--timeout", "1s"], environment: env)
        #expect(slow.waitStatus == 3)
        let unknown = try await watch(harness, ["no-such-job"], environment: env)
        #expect(unknown.waitStatus == 4)
        #expect(unknown.stderr.contains("404"))
        // Issue 16: a redirect (not followed) is an API error like any other refusal, not a timeout.
        let moved = try await watch(harness, ["job-moved"], extra: ["--timeout", "20s"], environment: env)
        #expect(moved.waitStatus == 4, "\(moved.stderr)")
        #expect(moved.stderr.contains("HTTP 301"))
    }

    /// The same table as JobIDAgreementTests (API, config, client): the CLI refuses exactly these.
    @Test func invalidJobIDsAreUsageErrorsAndValidOnesArePolled() async throws {
        let harness = try await Harness(scenario: Self.scenario())
        defer { Task { await harness.stop() } }
        let table: [(id: String, valid: Bool)] = [
            ("jöb", false), ("", false), (String(repeating: "a", count: 129), false), ("a b", false),
            ("354331b2-229a-11e8-9c75-0255ac100ceb", true), ("a-b_c.d", true),
        ]
        for (id, valid) in table {
            let process = try await watch(harness, [id], environment: [:])
            if valid {
                // Unknown to the simulator: polled, answered 404, exit 4 (an API error, not usage).
                #expect(process.waitStatus == 4, "\(id): \(process.stderr)")
            } else {
                #expect(process.waitStatus == 2, "\(id): \(process.stderr)")
                #expect(process.stderr.contains(id.isEmpty ? "must not be empty" : "is not a CCE job ID"), "\(process.stderr)")
            }
        }
    }

    @Test func akskFromTheEnvironmentSignsEveryPoll() async throws {
        let harness = try await Harness(scenario: Self.scenario(auth: "auth: {aksk: {ak: AKTEST, sk: SKTEST}}"))
        defer { Task { await harness.stop() } }
        let ok = try await watch(harness, ["job-ok"], environment: ["HUAWEICLOUD_SDK_AK": "AKTEST", "HUAWEICLOUD_SDK_SK": "SKTEST"])
        #expect(ok.waitStatus == 0, "\(ok.stderr)")
    }

    @Test func wrongSecretKeyStopsAfterTheFirstRejectionWithoutHammering() async throws {
        let harness = try await Harness(scenario: Self.scenario(auth: "auth: {aksk: {ak: AKTEST, sk: SKTEST}}"))
        defer { Task { await harness.stop() } }
        let bad = try await watch(harness, ["job-ok", "job-fail", "job-slow"],
                                  environment: ["HUAWEICLOUD_SDK_AK": "AKTEST", "HUAWEICLOUD_SDK_SK": "WRONG-SECRET"])
        #expect(bad.waitStatus == 4)
        #expect(try await harness.served().total <= 2, "a rejected key must not be tried again and again")
        #expect(!bad.stderr.contains("WRONG-SECRET") && !bad.stdout.contains("WRONG-SECRET"))
        #expect(bad.stderr.contains("APIGW.0301") || bad.stderr.contains("401"), "\(bad.stderr)")
    }
}

extension WatchEndToEndTests {
    @Test func watchFiresMatchingRulesBeforeItExitsUnlessNoNotify() async throws {
        let harness = try await Harness(scenario: Self.scenario())
        defer { Task { await harness.stop() } }
        let receiver = try LoopbackServer { _ in .status(200) }
        defer { receiver.stop() }
        let config = try harness.writeConfig(
            receivers: """
              - name: chat
                url: \(receiver.url("/chat"))
                body: {text: "{{job.type}} {{event.to}}: {{job.reason}}"}
            """,
            rules: """
              - name: failed
                match: {phase: Failed, level: job}
                notify: [chat]
            """,
            watch: [])
        let quiet = try await watch(harness, ["job-fail"], extra: ["-c", config, "--no-notify"], environment: [:])
        #expect(quiet.waitStatus == 1)
        #expect(receiver.requests.isEmpty)
        let loud = try await watch(harness, ["job-fail"], extra: ["-c", config], environment: [:])
        #expect(loud.waitStatus == 1, "\(loud.stderr)")
        #expect(receiver.requests.count == 1)
        #expect(receiver.requests.first?.bodyJSON as? [String: String] == ["text": "CreateCluster Failed: quota"])
    }
}

extension ChildProcess {
    /// The exit status of a process that has ended (nil while it runs).
    var waitStatus: Int32? { isRunning ? nil : exitStatus }
}
