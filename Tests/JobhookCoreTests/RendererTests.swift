import CCE
import CurlHTTP
import Foundation
@testable import JobhookCore
import Testing

@Suite("Rendering")
struct RendererTests {
    static let nasty = [
        #"quote " inside"#, #"back\slash and \n literal"#, "new\nline\r\nand\ttab", "<b>&\"'</b>", "配额不足：集群创建失败",
        "emoji 🚀🔥 and 👩‍💻", "control \u{01}\u{1F} chars", "{{not.a.template}}", "line\u{2028}sep", "",
    ]

    static func config(_ receivers: String) throws -> Config {
        try ConfigFixtures.load("cce: {region: cn-north-4, project_id: p1}\nreceivers:\n" + receivers + "rules:\n  - {name: rule, match: {}, notify: [r]}\n")
    }

    static func render(_ receivers: String, reason: String? = "Quota exceeded") throws -> RenderedRequest {
        let config = try config(receivers)
        let match = try #require(Router.matches(ConfigFixtures.change(reason: reason), config: config).first)
        return try #require(Renderer.render(match: match, config: config))
    }

    static func json(_ request: RenderedRequest) throws -> [String: Any] {
        let body = try #require(request.body)
        return try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
    }

    @Test(arguments: nasty)
    func bodyLeavesCarryAnyReasonAsValidJSONWithTheExactText(reason: String) throws {
        let request = try Self.render("""
              - name: r
                url: https://example.com/hook
                body:
                  reason: "{{job.reason}}"
                  mixed: "R: {{job.reason}}!"
                  nested: {list: ["{{job.reason}}", 1]}
            """ + "\n", reason: reason)
        let object = try Self.json(request)
        #expect(object["reason"] as? String == reason)
        #expect(object["mixed"] as? String == "R: \(reason)!")
        #expect(((object["nested"] as? [String: Any])?["list"] as? [Any])?.first as? String == reason)
    }

    @Test(arguments: nasty)
    func bodyTextEscapesValuesAsJSONStringsForAJSONContentType(reason: String) throws {
        let request = try Self.render("""
              - name: r
                url: https://example.com/hook
                body_text: '{"text": "{{job.type}}: {{job.reason}}"}'
            """ + "\n", reason: reason)
        #expect(try Self.json(request)["text"] as? String == "CreateCluster: \(reason)")
        #expect(request.contentType == "application/json")
    }

    @Test func bodyTextIsVerbatimForPlainText() throws {
        let request = try Self.render("""
              - name: r
                url: https://example.com/hook
                content_type: text/plain
                body_text: "{{job.reason}}|{{{job.reason}}}"
            """ + "\n", reason: #"<b>&"' \ 中文"#)
        #expect(String(decoding: request.body ?? Data(), as: UTF8.self) == #"<b>&"' \ 中文|<b>&"' \ 中文"#)
        #expect(request.contentType == "text/plain")
    }

    @Test func templatesNeverEscapeHTML() throws {
        let template = try Template("{{job.reason}} {{#job.reason}}[{{job.reason}}]{{/job.reason}}")
        let context = TemplateContext(change: ConfigFixtures.change(reason: #"<b>&"'"#), rule: "r", receiver: "x", eventID: "e", region: "r", projectID: nil)
        #expect(template.render(context) == #"<b>&"' [<b>&"']"#)
    }

    @Test func bodyLeavesKeepTheirYAMLTypes() throws {
        let request = try Self.render("""
              - name: r
                url: https://example.com/hook
                body: {n: 3, f: 0.5, t: true, z: ~, s: "3", q: 'true', e: ""}
            """ + "\n")
        #expect(String(decoding: request.body ?? Data(), as: UTF8.self) == #"{"n":3,"f":0.5,"t":true,"z":null,"s":"3","q":"true","e":""}"#)
    }

    @Test func headersAreTemplatedWithLineBreaksStripped() throws {
        let request = try Self.render("""
              - name: r
                url: https://example.com/hook
                headers:
                  X-Reason: "{{job.reason}}"
                  X-Static: jobhook
            """ + "\n", reason: "bad\r\nX-Injected: yes\nmore")
        #expect(request.headers == [HTTPHeader("X-Reason", "badX-Injected: yesmore"), HTTPHeader("X-Static", "jobhook")])
    }

    @Test func withoutBodyAGenericReceiverSendsTheVersionedEventDocument() throws {
        let config = try Self.config("  - {name: r, url: 'https://example.com/hook'}\n")
        let change = ConfigFixtures.change(reason: "Quota exceeded")
        let match = try #require(Router.matches(change, config: config).first)
        let request = try #require(Renderer.render(match: match, config: config))
        let doc = try Self.json(request)
        #expect(Set(doc.keys) == ["version", "event", "job", "root", "rule", "cce"])
        #expect(doc["cce"] as? [String: String] == ["name": "default", "region": config.cce.region, "project_id": config.cce.projectID ?? ""])
        #expect(doc["version"] as? String == "1")
        let event = try #require(doc["event"] as? [String: Any])
        #expect(event["id"] as? String == match.eventID)
        #expect(event["from"] as? String == "Running" && event["to"] as? String == "Failed" && event["level"] as? String == "job")
        #expect(event["detected_at"] as? String == "2023-11-14T22:21:40Z")
        let job = try #require(doc["job"] as? [String: Any])
        #expect(job["reason"] as? String == "Quota exceeded" && job["type"] as? String == "CreateCluster")
        #expect(job["created_at"] as? String == "2023-11-14T22:13:20Z" && job["elapsed"] as? String == "7m12s")
        #expect((doc["rule"] as? [String: Any])?["name"] as? String == "rule")
        #expect((doc["root"] as? [String: Any])?["subjob_count"] as? Int == 0)
        #expect(request.method == "POST" && request.url == "https://example.com/hook")
    }

    @Test func subJobContextHasParentRootAndFlattenedSubJobs() throws {
        let change = SampleEvent.change()
        let context = TemplateContext(change: change, rule: "r", receiver: "x", eventID: "evt_1", region: "cn-north-4", projectID: "p1")
        #expect(context["root.subjob_count"] == .int(2))
        #expect(context["root.failed_count"] == .int(1))
        #expect(context["root.succeeded_count"] == .int(1))
        #expect(context["job.extend.ClusterFlavor"] == .string("cce.s1.small"))
        #expect(context["cce.region"] == .string("cn-north-4") && context["cce.project_id"] == .string("p1"))
        let template = try Template("{{#root.failed_subjobs}}{{type}}={{phase}} ({{reason}}) in {{cce.region}}{{/root.failed_subjobs}}")
        #expect(template.render(context) == #"CreateNode=Failed (Quota exceeded: insufficient "ecs" quota <b>&') in cn-north-4"#)

        let sub = ConfigFixtures.change(type: "InstallMaster", level: .subjob)
        let subContext = TemplateContext(change: sub, rule: "r", receiver: "x", eventID: "e", region: "r", projectID: nil)
        #expect(subContext["parent.id"] == .string("root-1"))
        #expect(subContext["job.cluster_id"] == .string("c7d1"))
        #expect(subContext["event.level"] == .string("subjob"))
        #expect(try Template("{{#root.subjobs}}{{id}}:{{type}}{{/root.subjobs}}").render(subContext) == "sub-1:InstallMaster")
    }

    @Test(arguments: [
        ("feishu", #"{"msg_type":"text","content":{"text":"T"}}"#),
        ("dingtalk", #"{"msgtype":"markdown","markdown":{"title":"T","text":"T"}}"#),
        ("wecom", #"{"msgtype":"markdown","markdown":{"content":"T"}}"#),
        ("slack", #"{"text":"T","blocks":[{"type":"section","text":{"type":"mrkdwn","text":"T"}}]}"#),
        ("discord", #"{"content":"T","allowed_mentions":{"parse":[]}}"#),
        ("teams", #"{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","content":{"type":"AdaptiveCard","version":"1.4","body":[{"type":"TextBlock","text":"T","wrap":true}]}}]}"#),
    ])
    func presetsRenderTheirTextIntoTheVendorsTextBody(preset: String, expected: String) throws {
        let request = try Self.render("  - {name: r, preset: \(preset), url: 'https://example.com/hook', text: '{{job.reason}}'}\n", reason: "T")
        #expect(String(decoding: request.body ?? Data(), as: UTF8.self) == expected)
    }

    @Test func presetWithoutTextSendsADefaultMessage() throws {
        let request = try Self.render("  - {name: r, preset: slack, url: 'https://example.com/hook'}\n", reason: "Quota exceeded")
        let body = try Self.json(request)
        #expect(body["text"] as? String == "CCE CreateCluster demo-cluster: Failed")
        let blocks = body["blocks"] as? [[String: Any]] ?? []
        let section = blocks.first { $0["type"] as? String == "section" }?["text"] as? [String: Any]
        #expect((section?["text"] as? String)?.contains("*Reason:* Quota exceeded") == true, "\(body)")
    }

    @Test func renderedRequestRoundTripsThroughCodableAndNeverPrintsItsURL() throws {
        let request = RenderedRequest(method: "POST", url: "https://hooks.slack.com/services/T/B/SECRET",
                                      headers: [HTTPHeader("X-A", "1"), HTTPHeader("X-A", "2")], body: Data("{}".utf8), contentType: "application/json")
        let decoded = try JSONDecoder().decode(RenderedRequest.self, from: JSONEncoder().encode(request))
        #expect(decoded == request)
        #expect(!"\(request)".contains("SECRET"))
        #expect("\(request)" == "POST https://hooks.slack.com/… (application/json, 2 bytes)")
    }
}
