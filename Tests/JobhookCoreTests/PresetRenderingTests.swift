import CCE
import Foundation
@testable import JobhookCore
import Testing

/// The presets' default messages (resource templates) and vendor size limits.
@Suite struct PresetRenderingTests {
    static func render(_ preset: any Preset, text: String? = nil) throws -> (String, [String: Any]) {
        let receiver = Receiver(name: "r", preset: preset, url: try #require(WebhookURL("https://example.com/h")),
                                text: try text.map { try Template($0) })
        let change = SampleEvent.change()
        let match = Match(change: change, rule: Rule(name: "r", match: Matcher(), notify: ["r"]), receiverName: "r")
        let context = TemplateContext(change: change, rule: "r", receiver: "r", eventID: match.eventID, region: "cn-north-4", projectID: nil)
        let body = String(decoding: Renderer.render(match: match, receiver: receiver, context: context).body ?? Data(), as: UTF8.self)
        return (body, try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]))
    }

    @Test func everyPresetShipsItsDefaultTemplateAsAResource() {
        for preset in PresetRegistry.all where preset.sendsMessage {
            #expect(BundledResource.text(preset.name, extension: "md", subdirectory: "presets") != nil, "\(preset.name)")
        }
        #expect(BundledResource.text("title", extension: "txt", subdirectory: "presets") != nil)
    }

    @Test(arguments: PresetRegistry.all.filter(\.sendsMessage).map(\.name))
    func defaultMessageNamesJobClusterPhasesReasonFailedSubJobsAndElapsed(preset: String) throws {
        let (body, _) = try Self.render(try #require(PresetRegistry.preset(named: preset)))
        // JSON-escaped text: look for the parts that need no escaping.
        for part in ["CreateCluster", "demo-cluster", "c7d1e2f3-aaaa-bbbb-cccc-000000000001", "Running → ", "Failed",
                     "Quota exceeded: insufficient", "CreateNode", "7m12s"] {
            #expect(body.contains(part), "\(preset) default message lacks \(part): \(body)")
        }
        #expect(!body.contains("{{"))
    }

    @Test func feishuDefaultIsARedCardAndOwnTextWithoutTitleIsPlainText() throws {
        let (_, card) = try Self.render(Feishu())
        #expect(card["msg_type"] as? String == "interactive")
        let (_, text) = try Self.render(Feishu(), text: "{{job.reason}}")
        #expect(text["msg_type"] as? String == "text")
    }

    @Test func weComMarkdownIsCutAt4096BytesOnACharacterBoundary() throws {
        let long = String(repeating: "磁盘已满 ", count: 800) // 13 bytes × 800 > 4096
        let body = WeCom().body(PresetMessage(text: long))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        let content = try #require((json["markdown"] as? [String: Any])?["content"] as? String)
        #expect(content.utf8.count <= 4096)
        #expect(content.hasSuffix(Truncation.marker))
        #expect(content.hasPrefix("磁盘已满"))
    }

    @Test func discordContentIsCutAt2000Characters() throws {
        let body = Discord().body(PresetMessage(text: String(repeating: "x", count: 5000)))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        let content = try #require(json["content"] as? String)
        #expect(content.utf16.count == 2000 && content.hasSuffix(Truncation.marker))
    }

    @Test func feishuBodyStaysUnder20KBAndSlackSectionsUnder3000() throws {
        let quotes = String(repeating: "\"\\", count: 20000) // doubles when escaped
        let feishu = Feishu().body(PresetMessage(text: quotes, title: "t"))
        #expect(feishu.utf8.count <= 20 * 1024 - 128)
        #expect(try JSONSerialization.jsonObject(with: Data(feishu.utf8)) is [String: Any])
        let slack = Slack().body(PresetMessage(text: String(repeating: "y", count: 9000)))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(slack.utf8)) as? [String: Any])
        let section = try #require((json["blocks"] as? [[String: Any]])?.last?["text"] as? [String: Any])
        #expect((section["text"] as? String)?.utf16.count == 3000)
        let ding = DingTalk().body(PresetMessage(text: String(repeating: "z", count: 30000), title: "t"))
        #expect(ding.utf8.count < 20200)
    }

    @Test func shortTextIsNeverCut() {
        #expect(Truncation.utf8("hello", limit: 5) == "hello")
        #expect(Truncation.utf8("hello!", limit: 5).utf8.count <= 5)
    }
}
