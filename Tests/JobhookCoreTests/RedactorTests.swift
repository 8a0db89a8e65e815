import Foundation
@testable import JobhookCore
import Logging
import Synchronization
import Testing

/// The one masking function: what a person may see of a URL, a header, any text.
@Suite struct RedactorTests {
    @Test(arguments: [
        ("http://user:pass@example.com/x?tok=abc", "http://<redacted>@example.com/x?tok=<redacted>"),
        ("https://example.com/path?a=1&b=&c", "https://example.com/path?a=<redacted>&b=&c"),
        ("https://open.feishu.cn/open-apis/bot/v2/hook/0123-abcd", "https://open.feishu.cn/open-apis/bot/v2/hook/<redacted>"),
        ("https://open.larksuite.com/open-apis/bot/v2/hook/abcd?x=1", "https://open.larksuite.com/open-apis/bot/v2/hook/<redacted>?x=<redacted>"),
        ("https://oapi.dingtalk.com/robot/send?access_token=deadbeef", "https://oapi.dingtalk.com/robot/send?access_token=<redacted>"),
        ("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=<redacted>"),
        ("https://hooks.slack.com/services/T000/B000/XXXX", "https://hooks.slack.com/services/<redacted>"),
        ("https://discord.com/api/webhooks/123/tokenpart", "https://discord.com/api/webhooks/<redacted>"),
        ("https://x.webhook.office.com/webhookb2/a@b/IncomingWebhook/c/d", "https://x.webhook.office.com/webhookb2/<redacted>"),
        ("https://prod.westus.logic.azure.com/workflows/1/triggers/manual/paths/invoke?api-version=1&sig=S1G",
         "https://prod.westus.logic.azure.com/workflows/1/triggers/manual/paths/invoke?api-version=<redacted>&sig=<redacted>"),
        ("https://example.com/services/api", "https://example.com/services/api"),
        ("https://example.com/a#frag", "https://example.com/a#<redacted>"),
        ("postgres://jobhook:pw@db:5432/jobhook", "postgres://<redacted>@db:5432/jobhook"),
    ])
    func urlsLoseTheirCredentialsAndKeepTheirShape(url: String, shown: String) {
        #expect(Redactor().url(url) == shown)
        #expect(Redactor().url(shown) == shown, "masking twice changes nothing")
    }

    @Test func urlsInsideTextAreMaskedAndTheRestIsKept() {
        let text = #"connect to "http://u:p4ss@127.0.0.1:9/h?tok=x" failed: refused; see https://docs.example.com/a."#
        #expect(Redactor().text(text) == #"connect to "http://<redacted>@127.0.0.1:9/h?tok=<redacted>" failed: refused; see https://docs.example.com/a."#)
        #expect(Redactor().text("no url here: a://") == "no url here: a://")
        #expect(!Redactor().text("x https://h/?q=1").contains("%3C"), "shown literally, never percent-encoded")
    }

    @Test(arguments: ["Authorization", "proxy-authorization", "Cookie", "X-Auth-Token", "X-Api-Key", "X-Gitlab-Token",
                      "X-Client-Secret", "X-Hub-Signature-256", "PRIVATE-TOKEN"])
    func credentialHeadersAreHidden(name: String) {
        #expect(Redactor.isCredentialHeader(name))
        #expect(Redactor().header(name: name, value: "Bearer abc.def") == "Bearer <redacted>")
        #expect(Redactor().header(name: name, value: "session=abc; other=1") == "<redacted>")
    }

    @Test(arguments: ["X-Source", "Accept", "X-Request-Id", "Keyboard"])
    func otherHeadersAreShown(name: String) {
        #expect(!Redactor.isCredentialHeader(name))
        #expect(Redactor().header(name: name, value: "jobhook") == "jobhook")
    }

    @Test func knownSecretsAreHiddenLongestFirstAndShortOnesAreNot() {
        let redactor = Redactor(secrets: ["abcd", "abcdefgh", "no"])
        #expect(redactor.text("x abcdefgh y abcd z no") == "x <redacted> y <redacted> z no")
    }

    @Test func shortSecretsAreHiddenOnlyWhereTheyStandAlone() {
        let redactor = Redactor(secrets: ["main", "s3cr3t-value-long"])
        #expect(redactor.text(#"{"ref":"main"} domain mainly main. xs3cr3t-value-longx"#)
            == #"{"ref":"<redacted>"} domain mainly <redacted>. x<redacted>x"#)
    }

    @Test func aConfigsSecretsAreKnownWhereverTheyComeFrom() throws {
        let yaml = """
            cce: {region: cn-north-4, project_id: "${PROJECT}", auth: {token: "${CCE_TOKEN}"}}
            server: {token: literal-api-token}
            receivers:
              - name: chat
                url: "https://example.com/hook/HOOKTOKEN1?tok=QUERYTOKEN1"
                headers: {Authorization: "Bearer LITERALBEARER", X-Source: "${SOURCE_NAME}"}
                body: {token: "${BODY_TOKEN}", text: "{{job.reason}}", list: [{api_key: LITERALBODYKEY}]}
                text: "${TEXT_WORD}"
            rules: []
            """
        let environment = ["PROJECT": "project-1", "CCE_TOKEN": "ccetoken-1", "SOURCE_NAME": "srcname", "BODY_TOKEN": "bodytoken-1",
                           "TEXT_WORD": "textword"]
        let config = try ConfigLoader.parse(yaml: yaml, file: "rules.yaml", environment: environment)
        let shown = Redactor(config: config).text(
            "project-1 ccetoken-1 literal-api-token HOOKTOKEN1 QUERYTOKEN1 LITERALBEARER bodytoken-1 srcname LITERALBODYKEY textword")
        #expect(shown == "project-1 <redacted> <redacted> <redacted> <redacted> <redacted> <redacted> <redacted> <redacted> textword")
    }

    @Test func literalSecretsInTheFileAreWarnedAboutWhereTheyAre() {
        let yaml = """
            cce:
              region: cn-north-4
              endpoint: http://user:pass@127.0.0.1:8080
              auth: {token: literal-cce-token}
            receivers:
              - name: ops-chat
                url: https://open.feishu.cn/open-apis/bot/v2/hook/abc-123
                headers:
                  Authorization: Bearer abc
                  X-Api-Key: ${API_KEY}
                  X-Trace: "{{event.id}}"
              - name: pipeline
                url: https://ci.example.com/trigger?token=abc&ref=main
                body: {ref: main, token: glptt-literal, variables: {API_KEY: "${K}", NOTE: "{{job.id}}"}}
            rules: []
            """
        let warnings = ConfigCheck.literalSecrets(yaml: yaml, file: "rules.yaml")
        let lines = warnings.map(\.description)
        #expect(warnings.allSatisfy { $0.severity == .warning })
        #expect(lines.contains { $0.hasPrefix("rules.yaml:3:13: warning: cce.endpoint: a credential (user:password@)") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("rules.yaml:4:17: warning: cce.auth.token") && $0.contains("${CCE_TOKEN}") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("rules.yaml:7:10: warning: receiver 'ops-chat' url: a credential (the hook token") })
        #expect(lines.contains { $0.hasPrefix("rules.yaml:9:22: warning: receiver 'ops-chat' headers.Authorization")
            && $0.contains("${OPS_CHAT_AUTHORIZATION}") }, "\(lines)")
        #expect(lines.contains { $0.contains("receiver 'pipeline' url: a credential (the query value of 'token')") })
        #expect(!lines.contains { $0.contains("X-Api-Key") || $0.contains("X-Trace") || $0.contains("'ref'") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("rules.yaml:14:30: warning: receiver 'pipeline' body.token: a credential")
            && $0.contains("${PIPELINE_TOKEN}") }, "\(lines)")
        #expect(warnings.count == 6, "\(lines)")
        #expect(!lines.contains { $0.contains("user:pass@") || $0.contains("abc-123") || $0.contains("Bearer abc") || $0.contains("literal-cce-token")
            || $0.contains("glptt") })
    }

    @Test func checkRefusesAnEndpointRunWouldRefuseWithoutQuotingIt() throws {
        let yaml = """
            cce: {region: cn-north-4, project_id: p, endpoint: "http://user:pass@127.0.0.1:1/?tok=SECRETQ", auth: {token: t}}
            rules: []
            """
        let config = try ConfigLoader.parse(yaml: yaml, file: "rules.yaml", environment: [:])
        let problems = ConfigCheck.credentials(config).map(\.description)
        #expect(problems.contains { $0.contains("cce.endpoint") }, "\(problems)")
        #expect(!problems.contains { $0.contains("pass") || $0.contains("SECRETQ") }, "\(problems)")
    }

    @Test(arguments: LineLogHandler.Format.allCases)
    func logRecordsAreMaskedInMessageAndMetadata(format: LineLogHandler.Format) {
        let lines = Mutex<[String]>([])
        var handler = LineLogHandler(label: "test", level: .trace, format: format, redactor: Redactor(secrets: ["PLANTEDVALUE"]),
                                     write: { line in lines.withLock { $0.append(line) } })
        handler.metadata = ["receiver_url": "https://u:PLANTEDPASS@example.com/hook/PLANTEDHOOK?token=PLANTEDQUERY"]
        let logger = Logger(label: "test") { _ in handler }
        logger.error("POST https://example.com/x?sig=PLANTEDSIG failed: PLANTEDVALUE",
                     metadata: ["error": "\(["nested": "PLANTEDVALUE"])", "list": .array(["PLANTEDVALUE"])])
        let written = lines.withLock { $0 }
        #expect(written.count == 1)
        for secret in ["PLANTEDVALUE", "PLANTEDPASS", "PLANTEDHOOK", "PLANTEDQUERY", "PLANTEDSIG"] {
            #expect(!written.contains { $0.contains(secret) }, "\(written)")
        }
        #expect(written.contains { $0.contains("/hook/<redacted>") }, "\(written)")
    }
}
