import CurlHTTP
import Foundation
import Testing
import TestSupport

/// "No secret printed, anywhere" (issue 16): distinct secrets are planted in a config — written
/// literally and through `${ENV}` — and every output channel of every command is searched for them:
/// `check`, `test`, `send-test`, `run` (text and JSON logs, a receiver that fails and echoes what
/// it was sent, an endpoint run refuses), `deliveries list` (table and `--json`) and `GET /v1/deliveries`.
@Suite struct SecretOutputEndToEndTests {
    static let planted = [
        "PLANTAUTHBEARER1",  // Authorization: Bearer …, literal
        "PLANTAPIKEY2",      // X-Api-Key, literal
        "PLANTCOOKIE3",      // Cookie, literal
        "PLANTUSERPASS4",    // user:pass@ in a receiver URL
        "PLANTQUERY5",       // ?tok= in a receiver URL
        "PLANTFEISHU6",      // a Feishu hook token in the path
        "PLANTENVTOKEN7",    // ${BODY_TOKEN} in a body
        "PLANTCCETOKEN8",    // the CCE token
        "PLANTENDPOINTPW9",  // user:pass@ in cce.endpoint
        "PLANTENDPOINTQ10",  // ?tok= in cce.endpoint
        "PLANTBODYKEY11",    // api_key in a body, literal
    ]
    static let environment = ["BODY_TOKEN": "PLANTENVTOKEN7"]

    static let scenario = """
        project_id: p1
        auth: {token: PLANTCCETOKEN8}
        jobs:
          - id: job-fail
            type: CreateCluster
            timeline:
              - {after: 0s, phase: Running}
              - {after: 300ms, phase: Failed, reason: "install master failed"}
        """

    /// Every output, by where it came from; the test fails naming each that holds a planted secret.
    final class Outputs: @unchecked Sendable {
        var texts: [(String, String)] = []
        func add(_ label: String, _ text: String) { texts.append((label, text)) }
        var leaks: [String] {
            texts.flatMap { label, text in
                SecretOutputEndToEndTests.planted.filter(text.contains).map { "\(label) shows \($0): \(text.prefix(3000))" }
            }
        }
    }

    func config(_ harness: Harness, receiver: LoopbackServer, state: String, endpoint: String? = nil) throws -> String {
        let port = receiver.port
        return try harness.dir.write("rules-\(state).yaml", """
            cce:
              region: cn-north-4
              endpoint: "\(endpoint ?? harness.cceEndpoint)"
              project_id: p1
              auth: {token: PLANTCCETOKEN8}
            poll: {interval: 100ms, max_rps: 200}
            watch: {jobs: [job-fail]}
            state: {path: \(harness.dir.file("\(state).sqlite"))}
            server: {listen: 127.0.0.1:0}
            receivers:
              - name: hook
                url: "http://jobhook:PLANTUSERPASS4@127.0.0.1:\(port)/trigger?tok=PLANTQUERY5&ref=main"
                headers:
                  Authorization: Bearer PLANTAUTHBEARER1
                  X-Api-Key: PLANTAPIKEY2
                  Cookie: session=PLANTCOOKIE3
                  X-Reason: "{{job.reason}}"
                body: {token: "${BODY_TOKEN}", api_key: PLANTBODYKEY11, reason: "{{job.reason}}"}
                retry: {max_attempts: 1}
              - name: chat
                preset: feishu
                url: "http://127.0.0.1:\(port)/open-apis/bot/v2/hook/PLANTFEISHU6"
                retry: {max_attempts: 1}
            rules:
              - {name: failed, match: {phase: Failed, level: job}, notify: [hook, chat]}
            """)
    }

    /// A receiver that refuses everything and quotes back every credential it was sent.
    static func echoingReceiver() throws -> LoopbackServer {
        try LoopbackServer { request in
            let echoed = [request.header("Authorization"), request.header("X-Api-Key"), request.header("Cookie"),
                          request.path, request.query, request.bodyText].compactMap { $0 }.joined(separator: " ")
            return .text("refused: \(echoed)", status: 400)
        }
    }

    @Test func plantedSecretsAppearInNoOutputOfAnyCommand() async throws {
        let harness = try await Harness(scenario: Self.scenario)
        let receiver = try Self.echoingReceiver()
        defer { receiver.stop() }
        let outputs = Outputs()
        func run(_ label: String, _ arguments: [String]) async throws -> ChildProcess {
            let process = try ChildProcess(jobhookBinary(), arguments, environment: Self.environment)
            await process.waitForExit(timeout: .seconds(30))
            outputs.add("\(label) stdout", process.stdout)
            outputs.add("\(label) stderr", process.stderr)
            return process
        }
        let textConfig = try config(harness, receiver: receiver, state: "text")
        let jsonConfig = try config(harness, receiver: receiver, state: "json")

        let check = try await run("check", ["check", "-c", textConfig])
        #expect(check.exitStatus == 0, "\(check.stderr)")
        #expect(check.stderr.contains("warning: receiver 'hook' headers.Authorization: a credential is written in the file"), "\(check.stderr)")
        #expect(check.stderr.contains("${HOOK_URL}"), "\(check.stderr)")

        let job = try harness.dir.write("job.json", """
            {"metadata":{"uid":"job-fail"},"spec":{"type":"CreateCluster"},"status":{"phase":"Failed","reason":"quota\\u001b[2J"}}
            """)
        let test = try await run("test", ["test", "-c", textConfig, "--job", job])
        #expect(test.exitStatus == 0, "\(test.stderr)")
        #expect(test.stdout.contains("Authorization: Bearer <redacted>"), "\(test.stdout)")
        #expect(test.stdout.contains("?tok=<redacted>&ref=<redacted>"), "\(test.stdout)")
        #expect(test.stdout.contains("X-Reason: quota\\u{1B}[2J"), "rendered header values are escaped: \(test.stdout)")
        let sent = try await run("test --send", ["test", "-c", textConfig, "--job", job, "--send"])
        #expect(sent.exitStatus == 0, "\(sent.stderr)")
        for name in ["hook", "chat"] {
            let sendTest = try await run("send-test \(name)", ["send-test", name, "-c", textConfig])
            #expect(sendTest.exitStatus == 1, "the receiver refuses: \(sendTest.stdout)")
        }
        #expect(receiver.requests.count == 4)

        for (label, file, format) in [("run text", textConfig, "text"), ("run json", jsonConfig, "json")] {
            let before = receiver.requests.count
            let daemon = try ChildProcess(jobhookBinary(), ["run", "-c", file, "--log-level", "trace", "--log-format", format],
                                          environment: Self.environment)
            let line = try #require(await daemon.waitForLine(containing: "HTTP API listening", in: .stderr, timeout: .seconds(20)))
            let port = try #require(format == "text" ? apiPort(line) : Self.jsonAPIPort(line), "\(line)")
            let bothDead = await eventually(timeout: .seconds(30), interval: .milliseconds(250)) {
                guard receiver.requests.count >= before + 2 else { return false }
                let dead = try? await Self.get("http://127.0.0.1:\(port)/v1/deliveries?state=dead")
                return dead?.components(separatedBy: "\"id\"").count == 3
            }
            let answer = try await Self.get("http://127.0.0.1:\(port)/v1/deliveries?state=dead")
            outputs.add("\(label): GET /v1/deliveries", answer)
            daemon.signal(SIGTERM)
            #expect(await daemon.waitForExit() == 0)
            outputs.add("\(label) stderr", daemon.stderr)
            outputs.add("\(label) stdout", daemon.stdout)
            #expect(bothDead, "\(label): \(answer) \(daemon.stderr)")
            #expect(answer.contains("refused: Bearer <redacted>"), "the receiver's echo is kept, masked: \(answer)")
            #expect(daemon.stderr.contains("dead letter"), "\(daemon.stderr)")
        }
        for arguments in [["deliveries", "list", "--all"], ["deliveries", "list", "--all", "--json"]] {
            let withConfig = try await run(arguments.joined(separator: " "), arguments + ["-c", textConfig])
            #expect(withConfig.stdout.contains("refused"), "\(withConfig.stdout)")
            // Without the config the stored last_error is already masked.
            _ = try await run(arguments.joined(separator: " ") + " --state", arguments + ["--state", harness.dir.file("json.sqlite")])
        }

        let badEndpoint = "http://admin:PLANTENDPOINTPW9@127.0.0.1:1/?tok=PLANTENDPOINTQ10"
        let refused = try config(harness, receiver: receiver, state: "endpoint", endpoint: badEndpoint)
        let refusedCheck = try await run("check (bad endpoint)", ["check", "-c", refused])
        #expect(refusedCheck.exitStatus == 1, "run refuses this endpoint, so check does too: \(refusedCheck.stderr)")
        for format in ["text", "json"] {
            let refusedRun = try await run("run \(format) (bad endpoint)", ["run", "-c", refused, "--log-format", format])
            #expect(refusedRun.exitStatus == 2, "\(refusedRun.stderr)")
            #expect(refusedRun.stderr.contains("<redacted>@127.0.0.1:1"), "\(refusedRun.stderr)")
        }
        await harness.stop()

        #expect(outputs.texts.count >= 30)
        #expect(outputs.leaks == [])
    }

    static func get(_ url: String) async throws -> String {
        let http = CurlClient()
        defer { http.shutdown() }
        return String(decoding: try await http.send(HTTPRequest(url: url)).body, as: UTF8.self)
    }

    /// The port in a JSON log record `{"address":"127.0.0.1:41234",…}`.
    static func jsonAPIPort(_ line: String) -> Int? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let address = object["address"] as? String else { return nil }
        return address.split(separator: ":").last.flatMap { Int($0) }
    }
}
