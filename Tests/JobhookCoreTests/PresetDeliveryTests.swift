import CCE
import CurlHTTP
import Foundation
@testable import JobhookCore
import Testing
import TestSupport

/// Each preset against a loopback receiver that answers like the vendor: the request's shape and
/// signature, and how success, body-level errors and rate limits are classified.
@Suite struct PresetDeliveryTests {
    /// Renders the sample event (a failed CreateCluster) for a preset receiver at `url` and makes one
    /// attempt through the production path.
    static func attempt(
        preset: String, secret: String? = nil, path: String = "/hook", reply: @escaping @Sendable (RecordedRequest) -> Reply
    ) async throws -> (outcome: Outcome, request: RecordedRequest) {
        let server = try LoopbackServer(reply)
        defer { server.stop() }
        let yaml = """
            cce: {region: cn-north-4, project_id: p1, auth: {token: t}}
            receivers:
              - name: chat
                preset: \(preset)
                url: '\(server.url(path))'
            \(secret.map { "    secret: '\($0)'\n" } ?? "")rules:
              - {name: r, match: {phase: Failed}, notify: [chat]}
            """
        let config = try ConfigFixtures.load(yaml)
        let receiver = try #require(config.receiver(named: "chat"))
        let change = SampleEvent.change()
        let match = Match(change: change, rule: config.rules[0], receiverName: "chat")
        let request = Renderer.render(match: match, receiver: receiver, context: Renderer.context(for: match, config: config))
        let delivery = Delivery(id: match.eventID, receiver: "chat", rule: "r", jobID: change.rootID, uid: change.uid,
                                transition: "Running → Failed", request: request, createdAt: change.detectedAt)
        let http = CurlClient()
        defer { http.shutdown() }
        let (outcome, _) = await DeliveryAttempt.exchange(delivery, to: receiver.deliveryTarget, http: http)
        let recorded = try #require(server.requests.first)
        return (outcome, recorded)
    }

    static func json(_ request: RecordedRequest) throws -> [String: Any] {
        try #require(request.bodyJSON as? [String: Any])
    }

    // MARK: - Feishu

    @Test func feishuSendsASignedCardAndDeliversOnCodeZero() async throws {
        let (outcome, request) = try await Self.attempt(preset: "feishu", secret: "demo") { _ in .json(#"{"code":0,"data":{},"msg":"success"}"#) }
        #expect(outcome == .delivered(status: 200))
        let body = try Self.json(request)
        #expect(body["msg_type"] as? String == "interactive")
        let card = try #require(body["card"] as? [String: Any])
        let header = try #require(card["header"] as? [String: Any])
        #expect(header["template"] as? String == "red")
        #expect(request.bodyText.contains("Quota exceeded"))
        let timestamp = try #require((body["timestamp"] as? String).flatMap(Int.init))
        #expect(body["sign"] as? String == Feishu.signature(secret: "demo", timestamp: timestamp))
        #expect(abs(timestamp - Int(Date().timeIntervalSince1970)) < 60)
    }

    @Test func feishuOldAPIStatusCodeZeroIsDelivered() async throws {
        let (outcome, _) = try await Self.attempt(preset: "feishu") { _ in .json(#"{"Extra":null,"StatusCode":0,"StatusMessage":"success"}"#) }
        #expect(outcome == .delivered(status: 200))
    }

    @Test func feishuBadSignatureIsPermanentAndRateLimitIsRetried() async throws {
        let bad = try await Self.attempt(preset: "feishu", secret: "demo") { _ in .json(#"{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}"#) }
        guard case .permanent(let reason) = bad.outcome else { Issue.record("expected permanent, got \(bad.outcome)"); return }
        #expect(reason.contains("19021"))
        for code in [9499, 19024] {
            let outcome = try await Self.attempt(preset: "feishu") { _ in .json(#"{"code":\#(code),"msg":"x"}"#) }.outcome
            #expect(outcome.label == "permanent")
        }
        let slow = try await Self.attempt(preset: "feishu") { _ in .json(#"{"code":11232,"msg":"frequency limited"}"#) }
        guard case .retryable(_, let after, _) = slow.outcome else { Issue.record("expected retryable, got \(slow.outcome)"); return }
        #expect(after != nil)
    }

    // MARK: - DingTalk

    @Test func dingTalkSendsSignedMarkdownAndDeliversOnErrcodeZero() async throws {
        let (outcome, request) = try await Self.attempt(preset: "dingtalk", secret: "SEC0123", path: "/robot/send?access_token=tok") { _ in
            .json(#"{"errcode":0,"errmsg":"ok"}"#)
        }
        #expect(outcome == .delivered(status: 200))
        let body = try Self.json(request)
        #expect(body["msgtype"] as? String == "markdown")
        let markdown = try #require(body["markdown"] as? [String: Any])
        #expect((markdown["title"] as? String)?.contains("CreateCluster") == true)
        #expect((markdown["text"] as? String)?.contains("Quota exceeded") == true)
        #expect(request.queryItem("access_token") == "tok")
        let timestamp = try #require(request.queryItem("timestamp").flatMap(Int64.init))
        let rawSign = try #require(request.query?.split(separator: "&").first { $0.hasPrefix("sign=") }).dropFirst("sign=".count)
        #expect(String(rawSign) == DingTalk.signature(secret: "SEC0123", timestampMillis: timestamp))
    }

    @Test func dingTalkTooFastWaitsAMinuteAndKeywordFailureIsPermanent() async throws {
        let slow = try await Self.attempt(preset: "dingtalk") { _ in .json(#"{"errcode":130101,"errmsg":"send too fast, exceed 20 times per minute"}"#) }
        guard case .retryable(_, let after, _) = slow.outcome else { Issue.record("expected retryable, got \(slow.outcome)"); return }
        #expect((after ?? .zero) >= .seconds(60))
        for code in [310000, 300005] {
            let outcome = try await Self.attempt(preset: "dingtalk") { _ in .json(#"{"errcode":\#(code),"errmsg":"x"}"#) }.outcome
            #expect(outcome.label == "permanent")
        }
    }

    // MARK: - WeCom

    @Test func weComSendsMarkdownAndClassifiesErrcodes() async throws {
        let (outcome, request) = try await Self.attempt(preset: "wecom", path: "/cgi-bin/webhook/send?key=k") { _ in .json(#"{"errcode":0,"errmsg":"ok"}"#) }
        #expect(outcome == .delivered(status: 200))
        let body = try Self.json(request)
        #expect(body["msgtype"] as? String == "markdown")
        let content = try #require((body["markdown"] as? [String: Any])?["content"] as? String)
        #expect(content.contains(#"<font color="warning">Failed</font>"#))
        #expect(content.contains("CreateNode"))

        let slow = try await Self.attempt(preset: "wecom") { _ in .json(#"{"errcode":45009,"errmsg":"api freq out of limit"}"#) }.outcome
        #expect(slow.label == "retryable")
        let gone = try await Self.attempt(preset: "wecom") { _ in .json(#"{"errcode":93000,"errmsg":"invalid webhook url"}"#) }.outcome
        #expect(gone.label == "permanent")
    }

    // MARK: - Slack

    @Test func slackSendsBlocksWithFallbackAndNeedsOk() async throws {
        let (outcome, request) = try await Self.attempt(preset: "slack") { _ in .text("ok") }
        #expect(outcome == .delivered(status: 200))
        let body = try Self.json(request)
        #expect((body["text"] as? String)?.contains("CreateCluster") == true)
        let blocks = try #require(body["blocks"] as? [[String: Any]])
        #expect(blocks.map { $0["type"] as? String } == ["header", "section"])
        #expect(((blocks[1]["text"] as? [String: Any])?["type"] as? String) == "mrkdwn")

        for (status, text) in [(400, "invalid_payload"), (404, "channel_not_found"), (410, "no_service")] {
            let outcome = try await Self.attempt(preset: "slack") { _ in .text(text, status: status) }.outcome
            #expect(outcome.label == "permanent")
            #expect(outcome.reason.contains(text))
        }
        let limited = try await Self.attempt(preset: "slack") { _ in .text("rate_limited", status: 429, headers: [HTTPHeader("Retry-After", "3")]) }.outcome
        #expect(limited == .retryable(reason: "HTTP 429: rate_limited", retryAfter: .seconds(3), receiverDown: true))
    }

    // MARK: - Teams

    @Test func teamsSendsAnAdaptiveCardAndAnyTwoHundredIsAccepted() async throws {
        let (outcome, request) = try await Self.attempt(preset: "teams") { _ in .status(202) }
        #expect(outcome == .delivered(status: 202))
        let body = try Self.json(request)
        #expect(body["type"] as? String == "message")
        let attachment = try #require((body["attachments"] as? [[String: Any]])?.first)
        #expect(attachment["contentType"] as? String == "application/vnd.microsoft.card.adaptive")
        let card = try #require(attachment["content"] as? [String: Any])
        #expect(card["type"] as? String == "AdaptiveCard")
        let limited = try await Self.attempt(preset: "teams") { _ in .status(429, headers: [HTTPHeader("Retry-After", "2")]) }.outcome
        #expect(limited.label == "retryable")
        let bad = try await Self.attempt(preset: "teams") { _ in .json(#"{"error":"bad"}"#, status: 400) }.outcome
        #expect(bad.label == "permanent")
    }

    // MARK: - Discord

    @Test func discordSendsContentWithMentionsDisabledAndHonoursRetryAfterInTheBody() async throws {
        let (outcome, request) = try await Self.attempt(preset: "discord") { _ in .status(204) }
        #expect(outcome == .delivered(status: 204))
        let body = try Self.json(request)
        #expect((body["allowed_mentions"] as? [String: Any])?["parse"] as? [String] == [])
        #expect((body["content"] as? String)?.contains("Quota exceeded") == true)

        let limited = try await Self.attempt(preset: "discord") { _ in
            .json(#"{"message":"You are being rate limited.","retry_after":4.25,"global":false}"#, status: 429)
        }.outcome
        #expect(limited == .retryable(reason: "HTTP 429: Discord rate limit", retryAfter: .milliseconds(4250), receiverDown: true))
        let gone = try await Self.attempt(preset: "discord") { _ in .json(#"{"message":"Unknown Webhook","code":10015}"#, status: 404) }.outcome
        #expect(gone.label == "permanent")
    }
}
