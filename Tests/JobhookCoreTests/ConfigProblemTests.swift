import Foundation
@testable import JobhookCore
import Testing

/// Every kind of config mistake, printed as `FILE:LINE:COLUMN: message` at the offending node.
@Suite("Config problems")
struct ConfigProblemTests {
    static let head = "cce:\n  region: r\n"
    static let receiverA = "receivers:\n  - name: a\n    url: https://a.example/h\n"

    @Test(arguments: [
        // syntax
        ("cce:\n  region: [r\npoll: {}\n",
         "rules.yaml:3:5: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence)"),
        ("cce:\n  region: r\nwatch: {jobs: [${JOB}]}\n",
         "rules.yaml:3:17: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence); quote values containing ${…} or {{…}} inside [ ] or { }"),
        ("cce:\n  region: r\n  region: s\n", "rules.yaml:2:3: duplicate key 'region' in one mapping: it appears again below (only one may stay)"),
        ("cce:\n  region: [[[[\n" + String(repeating: "[", count: 1100) + "\n", "rules.yaml:3:1: YAML nested too deeply (libyaml allows 1,000 levels)"),
        // unknown keys, at every level
        (head + "poll:\n  intervall: 5s\n",
         "rules.yaml:4:3: unknown key 'intervall' in poll (expected: interval, concurrency, max_rps, job_timeout)"),
        (head + "polling: {}\n",
         "rules.yaml:3:1: unknown key 'polling' at the top level (expected: cce, poll, watch, discover, intake, state, server, receivers, rules)"),
        (head + "receivers:\n  - name: a\n    url: https://a.example/h\n    retry: {max_attempt: 3}\n",
         "rules.yaml:6:13: unknown key 'max_attempt' in receiver 'a'.retry (expected: max_attempts, initial_backoff, max_backoff, max_age)"),
        (head + receiverA + "rules:\n  - name: x\n    match: {typ: A}\n    notify: [a]\n",
         "rules.yaml:8:13: unknown key 'typ' in rule 'x'.match (expected: type, phase, from, reason, level, cluster_id, resource_name, account)"),
        // wrong types
        (head + "poll:\n  interval: fast\n", "rules.yaml:4:13: poll.interval: expected a duration like 250ms, 15s, 5m, 2h (got 'fast')"),
        (head + "poll:\n  interval: 0s\n", "rules.yaml:4:13: poll.interval: expected a duration like 250ms, 15s, 5m, 2h (got '0s')"),
        (head + "poll:\n  concurrency: many\n", "rules.yaml:4:16: poll.concurrency: expected a positive whole number (got 'many')"),
        (head + "poll: [1, 2]\n", "rules.yaml:3:7: poll: expected a mapping, found a list"),
        (head + "state:\n  path: {a: b}\n", "rules.yaml:4:9: state.path: expected a string, found a mapping"),
        (head + receiverA + "rules:\n  - name: x\n    match: {level: top}\n    notify: [a]\n",
         "rules.yaml:8:20: rule 'x'.match.level: expected job, subjob or any (got 'top')"),
        (head + "receivers:\n  - name: a\n    preset: telegram\n    url: https://a.example/h\n",
         "rules.yaml:5:13: receiver 'a'.preset: unknown preset 'telegram' (expected one of feishu, dingtalk, wecom, slack, teams, discord, generic)"),
        (head + "receivers:\n  - name: a\n    preset: slack\n    url: https://a.example/h\n    secret: s\n",
         "rules.yaml:7:13: receiver 'a'.secret: only the feishu and dingtalk presets sign with a secret; use signing for other receivers"),
        // missing keys and references
        (head + receiverA + "rules:\n  - name: x\n    match: {phase: Failed}\n", "rules.yaml:7:5: missing 'notify' in rule 'x'"),
        (head + receiverA + "rules:\n  - name: x\n    match: {phase: Failed}\n    notify: [a, b]\n",
         "rules.yaml:9:13: rule 'x'.notify: unknown receiver 'b' (known: a)"),
        (head + "receivers:\n  - url: https://a.example/h\n", "rules.yaml:4:5: missing 'name' in receivers[0]"),
        ("poll: {}\n", "rules.yaml:1:1: missing 'region' in cce (or set HUAWEICLOUD_SDK_REGION)"),
        // regexes and templates
        (head + receiverA + "rules:\n  - name: x\n    match: {reason: '(unclosed'}\n    notify: [a]\n",
         "rules.yaml:8:21: rule 'x'.match.reason: invalid regular expression '(unclosed': missing closing parenthesis (at offset 9)"),
        (head + receiverA + "rules:\n  - name: x\n    match: {type: {regex: '[a-'}}\n    notify: [a]\n",
         "rules.yaml:8:27: rule 'x'.match.type.regex: invalid regular expression '[a-': missing terminating ] for character class (at offset 3)"),
        (head + "receivers:\n  - name: a\n    url: https://a.example/h\n    text: 'Hello {{#job.reason}}'\n",
         "rules.yaml:6:11: receiver 'a'.text: template does not parse: a section is never closed ('{{/name}}' missing) (template line 1, column 22)"),
        (head + "receivers:\n  - name: a\n    url: https://a.example/h\n    body:\n      x: '{{job.type'\n",
         "rules.yaml:7:10: receiver 'a'.body.x: template does not parse: a tag is not closed ('}}' missing) (template line 1, column 11)"),
        // URLs
        (head + "receivers:\n  - name: a\n    url: ftp://files.example/h\n", "rules.yaml:5:10: receiver 'a'.url: scheme 'ftp' is not http or https"),
        (head + "receivers:\n  - name: a\n    url: not a url\n", "rules.yaml:5:10: receiver 'a'.url: the value is not an absolute http or https URL"),
        (head + "receivers:\n  - name: a\n    url: https://a.example/h i\n",
         "rules.yaml:5:10: receiver 'a'.url: the URL contains a space or a control character; percent-encode it (a space is %20)"),
        (head + "receivers:\n  - name: a\n    url: https://a.example:99999/h\n", "rules.yaml:5:10: receiver 'a'.url: port 99999 does not exist (1 to 65535)"),
        (head + "receivers:\n  - name: a\n    url: https://bücher.example/h\n",
         "rules.yaml:5:10: receiver 'a'.url: the host is not ASCII; write an internationalized name in its punycode form (xn--…)"),
        (head + "receivers:\n  - name: a\n    url: https://a.example/h\n    signing: {hmac: {secret: s, header: Bad Header}}\n",
         "rules.yaml:6:41: receiver 'a'.signing.hmac.header: 'Bad Header' is not a valid header name (letters, digits and !#$%&'*+-.^_`|~ only)"),
        (head + "receivers:\n  - name: a\n    url: https://a.example/h\n    headers: {\"X-A\\r\\nX-B\": v}\n",
         "rules.yaml:6:15: receiver 'a'.headers: 'X-A\\r\\nX-B' is not a valid header name (letters, digits and !#$%&'*+-.^_`|~ only)"),
        (head + "receivers:\n  - name: a\n    url: https://a.example/h\n    text: 'Hi {{> footer}}'\n",
         "rules.yaml:6:11: receiver 'a'.text: template does not parse: partials ('{{> name}}') and inheritance ('{{< name}}', '{{$ name}}') are not supported: write the text out (template line 1, column 4)"),
        (head + "  endpoint: file:///etc/passwd\n", "rules.yaml:3:13: cce.endpoint: expected an http or https URL (got 'file:///etc/passwd')"),
        // environment
        ("cce:\n  region: ${NO_SUCH_VAR}\n", "rules.yaml:2:11: cce.region: environment variable NO_SUCH_VAR is not set"),
        ("cce:\n  region: 'a ${UNCLOSED'\n", "rules.yaml:2:11: cce.region: unterminated '${' (write '$${' for a literal '${')"),
        // auth
        (head + "  auth:\n    token: t\n    iam: {domain: d, user: u, password: p}\n",
         "rules.yaml:4:5: cce.auth: more than one authentication method (token, iam); give exactly one"),
        (head + "  auth:\n    secret_key: s\n", "rules.yaml:4:5: missing 'access_key' in cce.auth"),
        (head + "  auth: {}\n", "rules.yaml:3:9: cce.auth: no authentication method (expected one of token, token_file, access_key with secret_key, iam)"),
        (head + "  auth:\n    iam: {domain: d, user: u}\n", "rules.yaml:4:10: missing 'password' in cce.auth.iam"),
        // duplicates
        (head + receiverA + "  - name: a\n    url: https://b.example/h\n", "rules.yaml:6:5: duplicate receiver name 'a' (first defined at line 4)"),
        (head + receiverA + "rules:\n  - {name: x, match: {}, notify: a}\n  - {name: x, match: {}, notify: a}\n",
         "rules.yaml:8:5: duplicate rule name 'x' (first defined at line 7)"),
        // other receiver checks
        (head + "receivers:\n  - name: a\n    url: https://a.example/h\n    body: {}\n    body_text: x\n",
         "rules.yaml:7:16: receiver 'a': give either body or body_text, not both"),
        (head + "receivers:\n  - name: a\n    url: https://a.example/h\n    headers: {Content-Type: text/plain}\n",
         "rules.yaml:6:15: receiver 'a'.headers: Content-Type is set by jobhook (use content_type)"),
        (head + "receivers:\n  - name: a\n    url: https://a.example/h\n    rate_limit: lots\n",
         "rules.yaml:6:17: receiver 'a'.rate_limit: expected COUNT/DURATION like 20/1m (got 'lots')"),
        (head + "server:\n  listen: 0.0.0.0:9787\n", "rules.yaml:4:11: server.token is required when server.listen is not a loopback address"),
        (head + receiverA + "rules:\n  - {name: x, match: {}, unless: {}, notify: a}\n",
         "rules.yaml:7:34: rule 'x'.unless: an empty unless would drop every event"),
    ])
    func eachMistakeIsReportedAtItsLineAndColumn(yaml: String, expected: String) {
        #expect(ConfigFixtures.problems(yaml) == [expected])
    }

    @Test func allProblemsAreCollectedNotJustTheFirst() {
        let yaml = """
            cce:
              region: r
            poll:
              intervall: 5s
              concurrency: 0
            receivers:
              - name: a
                url: https://a.example/h
            rules:
              - name: x
                match: {phase: Failed}
                notify: [nobody]
            """
        let problems = ConfigFixtures.problems(yaml)
        #expect(problems == [
            "rules.yaml:4:3: unknown key 'intervall' in poll (expected: interval, concurrency, max_rps, job_timeout)",
            "rules.yaml:5:16: poll.concurrency: expected a positive whole number (got '0')",
            "rules.yaml:12:13: rule 'x'.notify: unknown receiver 'nobody' (known: a)",
        ])
        do {
            _ = try ConfigFixtures.load(yaml)
            Issue.record("loaded")
        } catch {
            #expect(error.description == problems.joined(separator: "\n"))
        }
    }

    @Test func secretsNeverAppearInProblems() {
        let secret = "s3cr3t-VALUE"
        let yaml = """
            cce:
              region: r
              auth:
                token: ${TOKEN}
                access_key: ${TOKEN}
                secret_key: ${TOKEN}
            server:
              token: {nested: "${TOKEN}"}
            receivers:
              - name: a
                url: ftp://${TOKEN}@hooks.example/${TOKEN}
                secret: ${TOKEN}
                signing:
                  standard_webhooks: ${TOKEN}
                  hmac: {secret: ["${TOKEN}"]}
              - name: b
                url: https://hooks.example/${TOKEN}/{{x
              - name: c
                url: "${TOKEN}"
            """
        let problems = ConfigFixtures.problems(yaml, environment: ["TOKEN": secret])
        #expect(problems.count >= 7)
        for problem in problems {
            #expect(!problem.contains(secret), "\(problem)")
        }
    }

    @Test func loadReportsAMissingFile() {
        #expect(throws: ConfigError.self) { try ConfigLoader.load(path: "/nonexistent/rules.yaml", environment: [:]) }
        do {
            _ = try ConfigLoader.load(path: "/nonexistent/rules.yaml", environment: [:])
        } catch {
            #expect(error.description == "/nonexistent/rules.yaml:1:1: no such file")
        }
    }

    @Test func loadReadsARealFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("jobhook-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("rules.yaml").path
        try ConfigFixtures.fullYAML.write(toFile: path, atomically: true, encoding: .utf8)
        let config = try ConfigLoader.load(path: path, environment: ConfigFixtures.fullEnvironment)
        #expect(config.sourcePath == path)
        #expect(config.rules.count == 3)
        try "poll:\n  interval: soon\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(ConfigFixtures.problems("") == ["rules.yaml:1:1: missing 'region' in cce (or set HUAWEICLOUD_SDK_REGION)"])
        do {
            _ = try ConfigLoader.load(path: path, environment: [:])
        } catch {
            #expect(error.problems.map(\.description) == [
                "\(path):1:1: missing 'region' in cce (or set HUAWEICLOUD_SDK_REGION)",
                "\(path):2:13: poll.interval: expected a duration like 250ms, 15s, 5m, 2h (got 'soon')",
            ])
        }
    }

    @Test func checkWarnsAboutNamesOutsideTheTemplateContext() throws {
        let yaml = """
            cce: {region: r}
            receivers:
              - name: a
                preset: slack
                url: https://a.example/h
                text: "{{job.type}} {{job.nam}} {{#root.subjobs}}{{id}} {{event.id}} {{colour}}{{/root.subjobs}} {{job.extend.Anything}}"
              - name: b
                url: https://b.example/h
                body_text: '{"a": {{job.type}}}'
                body:
                  ok: "{{rule.name}} {{receiver.name}} {{cce.project_id}} {{parent.id}} {{parent.idd}}"
            """
        let problems = ConfigFixtures.problems(yaml)
        #expect(problems == ["rules.yaml:9:16: receiver 'b': give either body or body_text, not both"])
        let config = try ConfigFixtures.load(yaml.replacingOccurrences(of: "    body_text: '{\"a\": {{job.type}}}'\n", with: ""))
        #expect(ConfigCheck.run(config).map(\.description) == [
            "rules.yaml:6:11: warning: receiver 'a' text: 'job.nam' is not in the template context (it renders empty)",
            "rules.yaml:6:11: warning: receiver 'a' text: 'colour' is not in the template context (it renders empty)",
            "rules.yaml:10:11: warning: receiver 'b' body.ok: 'parent.idd' is not in the template context (it renders empty)",
        ])
    }

    @Test func checkWarnsWhenBodyTextIsNotJSONAndWhenAGenericReceiverHasText() throws {
        let yaml = """
            cce: {region: r}
            receivers:
              - name: a
                url: https://a.example/h
                body_text: '{"a": {{job.type}}}'
              - name: b
                url: https://b.example/h
                text: hello
            """
        #expect(ConfigCheck.run(try ConfigFixtures.load(yaml)).map(\.description) == [
            "rules.yaml:5:16: warning: receiver 'a' body_text: does not render to valid JSON for the sample event (content_type is application/json)",
            "rules.yaml:8:11: warning: receiver 'b' text: only presets use text; this receiver sends the event document",
        ])
        #expect(ConfigCheck.run(try ConfigFixtures.fullConfig()).isEmpty)
    }
}
