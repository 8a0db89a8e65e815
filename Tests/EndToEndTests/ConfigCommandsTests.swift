import Foundation
import Testing
import TestSupport

/// `check`, `test` and `send-test` as a user runs them.
@Suite struct ConfigCommandsTests {
    func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> ChildProcess {
        let process = try ChildProcess(jobhookBinary(), arguments, environment: environment)
        await process.waitForExit(timeout: .seconds(30))
        return process
    }

    static let exampleEnvironment = [
        "CCE_TOKEN": "x", "FEISHU_WEBHOOK": "https://open.feishu.cn/open-apis/bot/v2/hook/x", "FEISHU_SECRET": "s",
        "GITLAB_TRIGGER_TOKEN": "t", "GITHUB_TOKEN": "g", "JENKINS_TRIGGER_TOKEN": "j",
    ]

    /// The repository's example, found from this source file (the binary may live at any depth of .build).
    static var example: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("rules.yaml.example").path
    }

    @Test func theExampleConfigIsValid() async throws {
        let check = try await run(["check", "-c", Self.example], environment: Self.exampleEnvironment)
        #expect(check.exitStatus == 0, "\(check.stderr)")
    }

    @Test func checkReportsEveryProblemAtItsLineAndColumn() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanUp() }
        let file = try dir.write("rules.yaml", """
            cce:
              region: cn-north-4
              project_id: p1
              auth: {token: t}
            poll:
              interval: fast
            receivers:
              - name: chat
                url: ftp://example.com/hook
            rules:
              - name: r
                match: {reason: "(unclosed"}
                notify: [chat]
            """)
        let check = try await run(["check", "-c", file])
        #expect(check.exitStatus == 1)
        let lines = check.stderr.split(separator: "\n").filter { $0.hasPrefix(file + ":") }
        #expect(lines.count == 3, "\(check.stderr)")
        #expect(lines.contains { $0.hasPrefix("\(file):6:13:") && $0.contains("duration") })
        #expect(lines.contains { $0.hasPrefix("\(file):9:10:") && $0.contains("http") })
        #expect(lines.contains { $0.contains(":12:") })
    }

    @Test func testCommandShowsChangesRulesAndRequestsWithSecretsMasked() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanUp() }
        let job = try dir.write("job.json", """
            {"metadata":{"uid":"j1"},"spec":{"type":"CreateCluster","resourceName":"alpha",
             "subJobs":[{"metadata":{"uid":"s1"},"spec":{"type":"InstallMaster"},"status":{"phase":"Failed","reason":"quota"}}]},
             "status":{"phase":"Failed","reason":"install master failed"}}
            """)
        let config = try dir.write("rules.yaml", """
            cce: {region: cn-north-4, project_id: p1, auth: {token: t}}
            receivers:
              - name: chat
                url: ${HOOK}
                body: {text: "{{job.reason}}", token: "${SECRET_TOKEN}"}
            rules:
              - {name: failed, match: {phase: Failed, level: job}, notify: [chat]}
            """)
        let env = ["HOOK": "https://hooks.example.com/services/T000/B000/XXXXSECRETPATH", "SECRET_TOKEN": "s3cr3t-value"]
        let result = try await run(["test", "-c", config, "--job", job], environment: env)
        #expect(result.exitStatus == 0, "\(result.stderr)")
        #expect(result.stdout.contains("rule failed → receiver chat"))
        #expect(result.stdout.contains("install master failed"))
        #expect(result.stdout.contains("InstallMaster"))
        #expect(!result.stdout.contains("XXXXSECRETPATH") && !result.stdout.contains("s3cr3t-value"), "\(result.stdout)")
    }

    @Test func sendTestReportsTheReceiversAnswer() async throws {
        let ok = try LoopbackServer { _ in .text("ok") }
        let bad = try LoopbackServer { _ in .text("invalid_payload", status: 400) }
        defer { ok.stop(); bad.stop() }
        let dir = try TempDirectory()
        defer { dir.cleanUp() }
        let config = try dir.write("rules.yaml", """
            cce: {region: cn-north-4, project_id: p1, auth: {token: t}}
            receivers:
              - {name: good, preset: slack, url: "\(ok.url("/services/T/B/X"))"}
              - {name: broken, preset: slack, url: "\(bad.url("/services/T/B/Y"))"}
            rules: []
            """)
        let good = try await run(["send-test", "good", "-c", config])
        #expect(good.exitStatus == 0, "\(good.stdout)\(good.stderr)")
        #expect(good.stdout.contains("delivered"))
        #expect(ok.requests.count == 1)
        let broken = try await run(["send-test", "broken", "-c", config])
        #expect(broken.exitStatus == 1)
        #expect(broken.stdout.contains("invalid_payload"))
        let unknown = try await run(["send-test", "nope", "-c", config])
        #expect(unknown.exitStatus == 1)
    }
}
