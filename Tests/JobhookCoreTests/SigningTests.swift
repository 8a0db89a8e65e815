import CCE
import CurlHTTP
import Foundation
@testable import JobhookCore
import Testing

/// The vendors' published signing vectors (docs/PRESETS.md), and signatures computed afresh per attempt.
@Suite struct SigningTests {
    @Test(arguments: [
        ("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1_614_265_330, #"{"test": 2432232314}"#,
         "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="),
        ("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "msg_01HZX3K9Q7V2T8M4N6P0R5S1W2", 1_700_000_000,
         #"{"type":"alert.fired","data":{"severity":"critical","text":"磁盘已满 disk full on node-7"}}"#,
         "v1,HxQeA79fIDv6vSX7ucwvmvD9Llh3op0S96uBc57bxgg="),
    ])
    func standardWebhooksSignatureMatchesTheSpecVectors(secret: String, id: String, timestamp: Int, body: String, expected: String) {
        #expect(StandardWebhooksSignature.sign(secret: secret, id: id, timestamp: timestamp, body: Data(body.utf8)) == expected)
    }

    @Test func standardWebhooksKeyRotationSendsOneSignaturePerSecretSpaceSeparated() {
        let body = Data(#"{"test": 2432232314}"#.utf8)
        let header = StandardWebhooksSignature.header(
            secrets: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="],
            id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: body)
        let parts = header.split(separator: " ").map(String.init)
        #expect(parts.count == 2)
        #expect(parts[0] == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        #expect(parts[1].hasPrefix("v1,") && parts[1] != parts[0])
    }

    @Test(arguments: [
        ("demo", 100, "jquNHnVOwmDRfw+vqTIrY5dooJAgi5EcRtLsQE4wfXg="),
        ("demo", 1_599_360_473, "l1N0gAcBjdwBvGm1xMjOF0XSyaLRpR7tuO5dHfhAYc8="),
    ])
    func feishuSignatureMatchesTheVendorVectors(secret: String, timestamp: Int, expected: String) {
        #expect(Feishu.signature(secret: secret, timestamp: timestamp) == expected)
    }

    @Test(arguments: [
        ("this is secret", Int64(1_700_000_000_000), "sSFWELbV2YwjdDQhWZwTcWlX5BWUx5J6TPpsZmuPii0%3D"),
        ("SEC0123456789abcdef", Int64(1_599_360_473_000), "aKqBjoyC%2BNYhkgqBYxW0ACXynJFx9Q2eLA%2BQ9FLxhBY%3D"),
    ])
    func dingTalkSignatureMatchesTheVendorVectors(secret: String, timestamp: Int64, expected: String) {
        #expect(DingTalk.signature(secret: secret, timestampMillis: timestamp) == expected)
    }

    @Test func feishuSigningPutsTimestampAndSignInTheBodyAndKeepsTheMessage() throws {
        let body = Data(#"{"msg_type":"text","content":{"text":"hi \"there\""}}"#.utf8)
        let signed = Feishu.signed(body: body, secret: "demo", timestamp: 100)
        let json = try #require(try JSONSerialization.jsonObject(with: signed) as? [String: Any])
        #expect(json["timestamp"] as? String == "100")
        #expect(json["sign"] as? String == "jquNHnVOwmDRfw+vqTIrY5dooJAgi5EcRtLsQE4wfXg=")
        #expect((json["content"] as? [String: Any])?["text"] as? String == #"hi "there""#)
        // Signing an already signed body (a hand-written one) replaces the old fields.
        let again = Feishu.signed(body: signed, secret: "demo", timestamp: 1_599_360_473)
        let second = try #require(try JSONSerialization.jsonObject(with: again) as? [String: Any])
        #expect(second["sign"] as? String == "l1N0gAcBjdwBvGm1xMjOF0XSyaLRpR7tuO5dHfhAYc8=")
        #expect(second["msg_type"] as? String == "text")
    }

    @Test func hmacSigningAddsGitHubStyleHeader() throws {
        let receiver = Receiver(
            name: "gh", url: try #require(WebhookURL("https://example.com/hook")),
            signing: Signing(hmac: HMACSigning(secret: Secret("It's a Secret to Everybody"), header: "X-Hub-Signature-256", prefix: "sha256=")))
        let delivery = Delivery(id: "evt_1", receiver: "gh", rule: "r", jobID: "j", uid: "j", transition: "t",
                                request: RenderedRequest(url: "https://example.com/hook", body: Data("Hello, World!".utf8)), createdAt: Date())
        let request = DeliveryAttempt.httpRequest(for: delivery, target: receiver.deliveryTarget, at: Date())
        // GitHub's documented example for this secret and payload.
        #expect(request.header("X-Hub-Signature-256") == "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")
    }

    @Test func presetSignaturesAreComputedAfreshOnEveryAttempt() throws {
        let feishu = Receiver(name: "f", preset: Feishu(), url: try #require(WebhookURL("https://open.feishu.cn/open-apis/bot/v2/hook/x")),
                              secret: Secret("demo"))
        let dingtalk = Receiver(name: "d", preset: DingTalk(), url: try #require(WebhookURL("https://oapi.dingtalk.com/robot/send?access_token=t")),
                                secret: Secret("this is secret"))
        func delivery(_ url: String) -> Delivery {
            Delivery(id: "evt_1", receiver: "x", rule: "r", jobID: "j", uid: "j", transition: "t",
                     request: RenderedRequest(url: url, body: Data(#"{"msg_type":"text","content":{"text":"x"}}"#.utf8)), createdAt: Date())
        }
        let first = DeliveryAttempt.httpRequest(for: delivery(feishu.url.reveal), target: feishu.deliveryTarget, at: Date(timeIntervalSince1970: 100))
        let later = DeliveryAttempt.httpRequest(for: delivery(feishu.url.reveal), target: feishu.deliveryTarget, at: Date(timeIntervalSince1970: 1_599_360_473))
        let firstJSON = try #require(try JSONSerialization.jsonObject(with: first.body ?? Data()) as? [String: Any])
        let laterJSON = try #require(try JSONSerialization.jsonObject(with: later.body ?? Data()) as? [String: Any])
        #expect(firstJSON["sign"] as? String == "jquNHnVOwmDRfw+vqTIrY5dooJAgi5EcRtLsQE4wfXg=")
        #expect(laterJSON["sign"] as? String == "l1N0gAcBjdwBvGm1xMjOF0XSyaLRpR7tuO5dHfhAYc8=")

        let ding = DeliveryAttempt.httpRequest(for: delivery(dingtalk.url.reveal), target: dingtalk.deliveryTarget,
                                               at: Date(timeIntervalSince1970: 1_700_000_000))
        #expect(ding.url == "https://oapi.dingtalk.com/robot/send?access_token=t&timestamp=1700000000000&sign=sSFWELbV2YwjdDQhWZwTcWlX5BWUx5J6TPpsZmuPii0%3D")
    }
}
