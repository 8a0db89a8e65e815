import Foundation
@testable import JobhookCore
import Testing
import TestSupport

/// `intake.smn` in rules.yaml: what it becomes, and every mistake reported at its line.
@Suite("intake.smn config")
struct IntakeConfigTests {
    let smn: OpenSSLSMN
    init() throws { smn = try OpenSSLSMN() }

    static let head = "cce:\n  region: cn-north-4\n  project_id: 0a1b2c3d4e5f\n"
    static let topic = "urn:smn:cn-north-4:0a1b2c3d4e5f:cce-events"

    func problems(_ yaml: String) -> [String] {
        do {
            _ = try ConfigLoader.parse(yaml: yaml, file: "rules.yaml", environment: [:])
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    @Test func aPinnedCertificateIsReadWhenTheConfigIsLoaded() throws {
        let yaml = Self.head + "intake:\n  smn:\n    topics: [\"\(Self.topic)\"]\n    cert_file: \(smn.certPath)\n    max_age: 5m\n"
        let config = try ConfigLoader.parse(yaml: yaml, file: "rules.yaml", environment: [:])
        let intake = try #require(config.smnIntake)
        #expect(intake.path == "/intake/smn")
        #expect(intake.topics == [Self.topic])
        #expect(intake.maxAge == .seconds(300))
        guard case .pinned(_, let key) = intake.certificate else { Issue.record("not pinned"); return }
        #expect(key.fingerprint == (try smn.key()).fingerprint)
    }

    @Test func certHostsAreTheOptInAlternative() throws {
        let yaml = Self.head + "intake:\n  smn:\n    path: /hooks/smn\n    topics: \(Self.topic)\n    cert_hosts: [SMN.cn-north-4.myhuaweicloud.com]\n"
        let intake = try #require(try ConfigLoader.parse(yaml: yaml, file: "rules.yaml", environment: [:]).smnIntake)
        #expect(intake.path == "/hooks/smn")
        guard case .fetched(let hosts) = intake.certificate else { Issue.record("not fetched"); return }
        #expect(hosts == ["smn.cn-north-4.myhuaweicloud.com"])
    }

    @Test func mistakesAreReportedAtTheirLine() throws {
        let smnHead = Self.head + "intake:\n  smn:\n"
        let cert = "    cert_file: \(smn.certPath)\n"
        let topics = "    topics: [\"\(Self.topic)\"]\n"
        let cases: [(String, String)] = [
            (smnHead + cert, "rules.yaml:6:5: missing 'topics' in intake.smn (only messages of listed topic URNs are accepted)"),
            (smnHead + cert + "    topics: [cce-events]\n",
             "rules.yaml:7:13: intake.smn.topics[0]: expected a topic URN like urn:smn:cn-north-4:PROJECT_ID:NAME (got 'cce-events')"),
            (smnHead + topics, "rules.yaml:6:5: intake.smn: missing cert_file (the certificate SMN signs with, pinned: the safe choice) or cert_hosts"),
            (smnHead + topics + cert + "    cert_hosts: [a.example.com]\n", "rules.yaml:8:17: intake.smn: give cert_file or cert_hosts, not both"),
            (smnHead + topics + "    cert_file: \(smn.keyPath)\n",
             "rules.yaml:7:16: intake.smn.cert_file: \(smn.keyPath): is PEM but not a certificate (expected -----BEGIN CERTIFICATE-----)"),
            (smnHead + topics + cert + "    path: /v1/smn\n",
             "rules.yaml:8:11: intake.smn.path: must not be under /v1 or /- (those need server.token; SMN cannot send one) (got '/v1/smn')"),
            (smnHead + topics + cert + "    path: /metrics\n", "rules.yaml:8:11: intake.smn.path: is one of the API's own paths (got '/metrics')"),
            (smnHead + topics + cert + "    path: /smn/{id}\n",
             "rules.yaml:8:11: intake.smn.path: may contain letters, digits and - . _ ~ / only (got '/smn/{id}')"),
            (smnHead + topics + cert + "    max_age: soon\n",
             "rules.yaml:8:14: intake.smn.max_age: expected a duration like 250ms, 15s, 5m, 2h (got 'soon')"),
            (smnHead + topics + cert + "server:\n  listen: ~\n", "rules.yaml:6:5: intake.smn: the route is served on server.listen, which is off (listen: ~)"),
            (Self.head + "intake:\n  sns: {}\n", "rules.yaml:5:3: unknown key 'sns' in intake (expected: smn)"),
        ]
        for (yaml, expected) in cases {
            #expect(problems(yaml) == [expected], "\(yaml)")
        }
    }
}
