import Foundation
import Testing
import TestSupport

/// `jobhook send-test` (the real binary) against a loopback receiver answering like each vendor:
/// exit status and the printed answer follow the preset's classification.
@Suite struct PresetSendTestEndToEndTests {
    /// (preset, vendor success answer, vendor body-level failure answer, word printed for the failure)
    static let vendors: [(String, Reply, Reply, String)] = [
        ("feishu", .json(#"{"code":0,"msg":"success"}"#), .json(#"{"code":19024,"msg":"Key Words Not Found"}"#), "permanent"),
        ("dingtalk", .json(#"{"errcode":0,"errmsg":"ok"}"#), .json(#"{"errcode":130101,"errmsg":"send too fast"}"#), "would be retried"),
        ("wecom", .json(#"{"errcode":0,"errmsg":"ok"}"#), .json(#"{"errcode":93000,"errmsg":"invalid webhook url"}"#), "permanent"),
        ("slack", .text("ok"), .text("no_service", status: 404), "permanent"),
        ("teams", .status(202), .status(429), "would be retried"),
        ("discord", .status(204), .json(#"{"retry_after":1.5}"#, status: 429), "would be retried"),
    ]

    @Test func sendTestReportsEachVendorsAnswerAndClassification() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanUp() }
        for (preset, success, failure, word) in Self.vendors {
            for (reply, delivered) in [(success, true), (failure, false)] {
                let server = try LoopbackServer { _ in reply }
                defer { server.stop() }
                let config = try dir.write("rules-\(preset).yaml", """
                    cce: {region: cn-north-4, project_id: p1, auth: {token: t}}
                    receivers:
                      - {name: chat, preset: \(preset), url: '\(server.url("/hook?key=k"))'}
                    rules:
                      - {name: r, match: {phase: Failed}, notify: [chat]}
                    """)
                let process = try ChildProcess(jobhookBinary(), ["send-test", "chat", "-c", config])
                let status = await process.waitForExit(timeout: .seconds(20))
                #expect(status == (delivered ? 0 : 1), "\(preset): \(process.stdout) \(process.stderr)")
                #expect(process.stdout.contains("answer: HTTP"), "\(preset)")
                #expect(process.stdout.contains(delivered ? "delivered" : word), "\(preset): \(process.stdout)")
                #expect(server.requests.count == 1)
            }
        }
    }
}
