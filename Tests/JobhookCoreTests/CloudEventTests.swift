import CCE
import CurlHTTP
import Foundation
@testable import JobhookCore
import Testing

/// SPEC § CloudEvents: both modes carry the table's attributes, binary mode's headers are
/// percent-encoded as the HTTP binding says, and `format` refuses what cannot go with it.
@Suite("CloudEvents")
struct CloudEventTests {
    static func render(_ format: String, change: PhaseChange = ConfigFixtures.change()) throws -> RenderedRequest {
        let config = try RendererTests.config("  - {name: r, url: 'https://example.com/hook', format: \(format)}\n")
        let match = try #require(Router.matches(change, config: config).first)
        return try #require(Renderer.render(match: match, config: config))
    }

    @Test func structuredModeIsOneJSONObjectWithTheAttributesAndTheDocumentAsData() throws {
        let request = try Self.render("cloudevents")
        #expect(request.contentType == "application/cloudevents+json")
        #expect(request.headers.isEmpty)
        let event = try RendererTests.json(request)
        #expect(event["specversion"] as? String == "1.0")
        #expect((event["id"] as? String)?.hasPrefix("evt_") == true)
        #expect(event["source"] as? String == "/cce/cn-north-4/projects/p1/jobs/root-1")
        #expect(event["type"] as? String == "com.huaweicloud.cce.job.failed")
        #expect(event["subject"] as? String == "root-1")
        #expect(event["time"] as? String == "2023-11-14T22:21:40Z")
        #expect(event["datacontenttype"] as? String == "application/json")
        #expect(event["clusterid"] as? String == "c7d1")
        #expect(event["jobtype"] as? String == "CreateCluster")
        let data = try #require(event["data"] as? [String: Any])
        #expect(data["version"] as? String == "1")
        #expect((data["event"] as? [String: Any])?["id"] as? String == event["id"] as? String)
    }

    @Test func binaryModePutsTheAttributesInHeadersAndTheDocumentInTheBody() throws {
        let request = try Self.render("cloudevents-binary", change: ConfigFixtures.change(to: "Success", level: .subjob))
        #expect(request.contentType == "application/json")
        let headers = Dictionary(request.headers.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        #expect(headers["ce-specversion"] == "1.0")
        #expect(headers["ce-type"] == "com.huaweicloud.cce.subjob.success")
        #expect(headers["ce-subject"] == "sub-1")
        #expect(headers["ce-source"] == "/cce/cn-north-4/projects/p1/jobs/root-1")
        #expect(headers["ce-clusterid"] == "c7d1", "a sub-job inherits its parent's cluster")
        #expect(headers["ce-datacontenttype"] == nil, "Content-Type carries it in binary mode")
        let data = try RendererTests.json(request)
        #expect((data["event"] as? [String: Any])?["level"] as? String == "subjob")
    }

    @Test func headerValuesArePercentEncodedWhereTheBindingSaysSo() {
        #expect(CloudEvent.percentEncoded("com.huaweicloud.cce.job.failed") == "com.huaweicloud.cce.job.failed")
        #expect(CloudEvent.percentEncoded("échec 100% \"x\"") == "%C3%A9chec%20100%25%20%22x%22")
        #expect(CloudEvent.percentEncoded("a\r\nb") == "a%0D%0Ab")
    }

    @Test(arguments: [
        ("  - {name: r, url: 'https://a.example/h', format: cloudevents, body: {a: 1}}\n",
         "receiver 'r'.body: cannot be combined with format cloudevents: the CloudEvent's data is jobhook's event document"),
        ("  - {name: r, url: 'https://a.example/h', format: cloudevents-binary, body_text: x}\n",
         "receiver 'r'.body_text: cannot be combined with format cloudevents-binary: the CloudEvent's data is jobhook's event document"),
        ("  - {name: r, url: 'https://a.example/h', format: cloudevents, content_type: text/plain}\n",
         "receiver 'r'.content_type: cannot be combined with format cloudevents: the CloudEvent's data is jobhook's event document"),
        ("  - {name: r, url: 'https://a.example/h', format: cloudevents, preset: slack}\n",
         "receiver 'r'.format: cloudevents is for generic receivers; the slack preset sends its own message"),
        ("  - {name: r, url: 'https://a.example/h', format: cloudevent}\n",
         "receiver 'r'.format: expected cloudevents or cloudevents-binary (got 'cloudevent')"),
    ])
    func formatRefusesWhatCannotGoWithIt(receivers: String, message: String) {
        let problems = ConfigFixtures.problems("cce: {region: r}\nreceivers:\n" + receivers)
        #expect(problems.count == 1)
        #expect(problems.first?.hasSuffix(message) == true, "\(problems)")
    }
}
