import CCE
import Foundation
@testable import JobhookCore
import Testing

@Suite("Config loading")
struct ConfigTests {
    @Test func comprehensiveSampleLoadsWithEveryValue() throws {
        let config = try ConfigFixtures.fullConfig()
        #expect(config.sourcePath == "rules.yaml")
        #expect(config.cce.region == "cn-north-4")
        #expect(config.cce.endpoint == "http://127.0.0.1:8080")
        #expect(config.cce.projectID == "0a1b2c3d4e5f")
        guard case .token(let token)? = config.cce.auth else { Issue.record("auth is not a token"); return }
        #expect(token.reveal == "tok-123")
        #expect(config.cce.timeout == .seconds(10))
        #expect(config.poll == PollSettings(interval: .seconds(15), concurrency: 4, maxRPS: 10, jobTimeout: .seconds(5400)))
        #expect(config.watch.jobs == ["354331b2c-229a-11e8-9c75-0255ac100ceb"])
        #expect(config.state.path == "/var/lib/jobhook/state.sqlite")
        #expect(config.server.listen == "0.0.0.0:9787")
        #expect(config.server.token?.reveal == "api-456")
        #expect(config.receivers.map(\.name) == ["ops-chat", "deploy-pipeline", "plain", "audit"])

        let chat = try #require(config.receiver(named: "ops-chat"))
        #expect(chat.preset.name == "feishu")
        #expect(chat.url.reveal == "https://open.feishu.cn/open-apis/bot/v2/hook/SECRETHOOK")
        #expect("\(chat.url)" == "https://open.feishu.cn/…")
        #expect(chat.secret?.reveal == "feishu-secret")
        #expect(chat.rateLimit == RateLimit(count: 20, per: .seconds(60)))
        #expect(chat.text?.source == "CCE {{job.type}} {{job.resource_name}} is {{event.to}}: {{job.reason}}\n")

        let deploy = try #require(config.receiver(named: "deploy-pipeline"))
        #expect(deploy.method == "PUT")
        #expect(deploy.headers.map(\.name) == ["X-Source", "X-Job"])
        #expect(deploy.signing?.standardWebhooks.count == 2)
        #expect(deploy.signing?.hmac?.header == "X-Hub-Signature-256")
        #expect(deploy.signing?.hmac?.prefix == "sha256=")
        #expect(deploy.signing?.hmac?.secret.reveal == "hmac-secret")
        #expect(deploy.timeout == .seconds(5))
        #expect(deploy.retry == RetrySettings(maxAttempts: 5, initialBackoff: .milliseconds(250), maxBackoff: .seconds(60), maxAge: .seconds(7200)))
        #expect(deploy.rateLimit == RateLimit(count: 1, per: .seconds(1)))
        #expect(deploy.contentType == "application/json")

        let plain = try #require(config.receiver(named: "plain"))
        #expect(plain.bodyText?.escaping == Template.Escaping.none)
        #expect(config.receiver(named: "audit")?.retry == RetrySettings())
        #expect(config.receiver(named: "audit")?.timeout == .seconds(15))

        #expect(config.rules.map(\.name) == ["cluster-create-failed", "cluster-ready", "any-failure"])
        #expect(config.rules[1].notify == ["deploy-pipeline"])
        #expect(config.rules[1].groupWait == .seconds(30))
        #expect(config.rules[1].match.level == .job)
        #expect(config.rules[2].notify == ["plain", "audit"])
    }

    @Test func defaultsApplyWhenSectionsAreLeftOut() throws {
        let config = try ConfigFixtures.load("cce:\n  region: cn-north-4\n")
        #expect(config.poll == PollSettings())
        #expect(config.poll.interval == .seconds(15))
        #expect(config.poll.concurrency == 8)
        #expect(config.poll.maxRPS == 20)
        #expect(config.poll.jobTimeout == .seconds(6 * 3600))
        #expect(config.state.path == "./jobhook-state.sqlite")
        #expect(config.server.listen == "127.0.0.1:9787")
        #expect(config.server.token == nil)
        #expect(config.cce.timeout == .seconds(10))
        #expect(config.cce.auth == nil)
        #expect(config.receivers.isEmpty && config.rules.isEmpty)
    }

    @Test func regionProjectAndCredentialsComeFromTheSDKEnvironmentWhenTheFileHasNone() throws {
        let env = ["HUAWEICLOUD_SDK_REGION": "ap-southeast-1", "HUAWEICLOUD_SDK_PROJECT_ID": "p1",
                   "HUAWEICLOUD_SDK_AK": "AK", "HUAWEICLOUD_SDK_SK": "SK", "HUAWEICLOUD_SDK_SECURITY_TOKEN": "ST"]
        let config = try ConfigFixtures.load("poll:\n  interval: 5s\n", environment: env)
        #expect(config.cce.region == "ap-southeast-1")
        #expect(config.cce.projectID == "p1")
        guard case .accessKey(let ak, let sk, let token)? = config.cce.auth else { Issue.record("no AK/SK"); return }
        #expect(ak.reveal == "AK" && sk.reveal == "SK" && token?.reveal == "ST")
        #expect(CCESettings.fromEnvironment(env)?.region == "ap-southeast-1")
    }

    /// One reader (`CredentialsFromEnvironment`) for config loading, `CCESettings.fromEnvironment`
    /// and `jobhook watch`: surrounding whitespace is dropped and an empty variable counts as unset.
    @Test func sdkEnvironmentIsTrimmedAndEmptyMeansUnsetEverywhere() throws {
        let env = ["HUAWEICLOUD_SDK_REGION": " cn-north-4\n", "HUAWEICLOUD_SDK_PROJECT_ID": "  ",
                   "HUAWEICLOUD_SDK_AK": " AK ", "HUAWEICLOUD_SDK_SK": "SK\n", "HUAWEICLOUD_SDK_SECURITY_TOKEN": ""]
        let config = try ConfigFixtures.load("poll:\n  interval: 5s\n", environment: env)
        let settings = try #require(CCESettings.fromEnvironment(env))
        for cce in [config.cce, settings] {
            #expect(cce.region == "cn-north-4")
            #expect(cce.projectID == nil)
            guard case .accessKey(let ak, let sk, let token)? = cce.auth else { Issue.record("no AK/SK"); continue }
            #expect(ak.reveal == "AK" && sk.reveal == "SK" && token == nil)
        }
        let blank = ["HUAWEICLOUD_SDK_REGION": " ", "HUAWEICLOUD_SDK_AK": "AK", "HUAWEICLOUD_SDK_SK": " "]
        #expect(CCESettings.fromEnvironment(blank) == nil)
        #expect(AuthSettings.fromEnvironment(blank) == nil)
        #expect(ConfigFixtures.problems("poll: {}\n", environment: blank) == [
            "rules.yaml:1:1: missing 'region' in cce (or set HUAWEICLOUD_SDK_REGION)",
            "rules.yaml:1:1: cce: HUAWEICLOUD_SDK_AK is set but HUAWEICLOUD_SDK_SK is not; set both or neither",
        ])
    }

    /// A lone `HUAWEICLOUD_SDK_AK` (or `_SK`) used to be dropped without a word, leaving jobhook
    /// unauthenticated; it is an error naming the variables, never their values.
    @Test func halfAnSDKAccessKeyIsAnError() {
        let region = ["HUAWEICLOUD_SDK_REGION": "cn-north-4"]
        let akOnly = ConfigFixtures.problems("poll: {}\n", environment: region.merging(["HUAWEICLOUD_SDK_AK": "AKPLANTED"]) { $1 })
        #expect(akOnly == ["rules.yaml:1:1: cce: HUAWEICLOUD_SDK_AK is set but HUAWEICLOUD_SDK_SK is not; set both or neither"])
        let skOnly = ConfigFixtures.problems("poll: {}\n", environment: region.merging(["HUAWEICLOUD_SDK_SK": "SKPLANTED"]) { $1 })
        #expect(skOnly == ["rules.yaml:1:1: cce: HUAWEICLOUD_SDK_SK is set but HUAWEICLOUD_SDK_AK is not; set both or neither"])
        #expect(!(akOnly + skOnly).joined().contains("PLANTED"))
        // An explicit auth in the file wins over the environment, so a stray half key is not its problem.
        let explicit = "cce:\n  auth:\n    token: t\n"
        #expect(ConfigFixtures.problems(explicit, environment: region.merging(["HUAWEICLOUD_SDK_AK": "AK"]) { $1 }).isEmpty)
    }

    @Test(arguments: [
        ("token: t", "token"),
        ("token_file: /run/secrets/t", "tokenFile"),
        ("access_key: AK\n    secret_key: SK\n    security_token: ST", "accessKey"),
        ("iam: {endpoint: https://iam.example.com, domain: acct, user: bob, password: pw, project: cn-north-4}", "iam"),
    ])
    func eachAuthMethodLoads(auth: String, expected: String) throws {
        let config = try ConfigFixtures.load("cce:\n  region: r\n  auth:\n    \(auth)\n")
        switch config.cce.auth {
        case .token(let t)?: #expect(expected == "token" && t.reveal == "t")
        case .tokenFile(let path)?: #expect(expected == "tokenFile" && path == "/run/secrets/t")
        case .accessKey(let ak, let sk, let st)?: #expect(expected == "accessKey" && ak.reveal == "AK" && sk.reveal == "SK" && st?.reveal == "ST")
        case .iam(let iam)?:
            #expect(expected == "iam" && iam.domain == "acct" && iam.user == "bob" && iam.password.reveal == "pw")
            #expect(iam.endpoint == "https://iam.example.com" && iam.project == "cn-north-4")
        case nil: Issue.record("no auth")
        }
    }

    @Test(arguments: [
        ("250ms", Duration.milliseconds(250)), ("15s", .seconds(15)), ("5m", .seconds(300)), ("2h", .seconds(7200)),
        ("1h30m", .seconds(5400)), ("1m500ms", .milliseconds(60_500)), (" 10s ", .seconds(10)),
    ])
    func durationsParse(text: String, expected: Duration) {
        #expect(DurationText.parse(text) == expected)
    }

    @Test(arguments: ["", "fast", "0s", "10", "-5s", "5 s", "1d", "1.5s", "s", "99999999999999h"])
    func malformedDurationsAreRejected(text: String) {
        #expect(DurationText.parse(text) == nil)
    }

    @Test(arguments: [
        (Duration.seconds(432), "7m12s"), (.milliseconds(250), "250ms"), (.seconds(7200), "2h"), (.seconds(3661), "1h1m1s"), (.zero, "0ms"),
    ])
    func durationsFormatInTheSameGrammar(duration: Duration, expected: String) {
        #expect(DurationText.format(duration) == expected)
    }

    @Test func environmentVariablesExpandInEveryStringAndDoubleDollarEscapes() throws {
        let yaml = """
            cce:
              region: ${REGION}
            poll:
              interval: ${INTERVAL}
            receivers:
              - name: r-${SUFFIX}
                url: https://${HOST}/hook?a=${REGION}
                headers:
                  X-Literal: "$${NOT_EXPANDED} and $5 and ${SUFFIX}"
                body:
                  count: ${COUNT}
                  text: "${SUFFIX}"
            rules:
              - name: x
                match: {type: "${TYPE}"}
                notify: ["r-${SUFFIX}"]
            """
        let env = ["REGION": "cn-north-4", "INTERVAL": "30s", "SUFFIX": "one", "HOST": "example.com", "COUNT": "5", "TYPE": "CreateCluster"]
        let config = try ConfigFixtures.load(yaml, environment: env)
        #expect(config.cce.region == "cn-north-4")
        #expect(config.poll.interval == .seconds(30))
        let receiver = try #require(config.receiver(named: "r-one"))
        #expect(receiver.url.reveal == "https://example.com/hook?a=cn-north-4")
        #expect(receiver.headers.first?.value.source == "${NOT_EXPANDED} and $5 and one")
        let context = TemplateContext(change: ConfigFixtures.change(), rule: "x", receiver: "r-one", eventID: "evt", region: "r", projectID: nil)
        #expect(receiver.body?.render(context) == #"{"count":5,"text":"one"}"#)
        #expect(Router.route(ConfigFixtures.change(type: "CreateCluster"), rules: config.rules).count == 1)
    }

    @Test(arguments: [
        ("a ${X} b", "a 1 b"), ("$${X}", "${X}"), ("$$${X}", "$${X}"), ("cost $5", "cost $5"), ("${X}${X}", "11"), ("end $", "end $"),
    ])
    func expansionRules(text: String, expected: String) {
        #expect(EnvironmentExpansion.expand(text, environment: ["X": "1"]) == .success(expected))
    }
}
