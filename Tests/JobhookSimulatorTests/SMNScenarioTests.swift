import JobhookSimulator
import Testing

/// The scenario's `smn:` key: its defaults and what it refuses.
@Suite("Simulated SMN: the scenario key")
struct SMNScenarioTests {
    @Test func defaultsFollowTheReference() throws {
        let scenario = try Scenario.parse("project_id: p9\nsmn: {url: http://127.0.0.1:8080/intake/smn}\n")
        let smn = try #require(scenario.smn)
        #expect(smn.topicURN(projectID: scenario.projectID) == "urn:smn:sim-region:p9:cce-events")
        #expect(smn.confirm && smn.response == .jobID && smn.keyFile == nil && smn.certFile == nil)
        #expect(try Scenario.parse("smn: {url: http://h/x}").smn?.topicURN(projectID: nil) == "urn:smn:sim-region:sim:cce-events")
        #expect(try Scenario.parse("jobs: []").smn == nil)
    }

    @Test func everyFieldIsRead() throws {
        let smn = try #require(try Scenario.parse("""
            smn:
              url: https://jobhook.example/intake/smn
              topic_urn: urn:smn:r:p:t
              key_file: k.pem
              cert_file: c.pem
              confirm: false
              response: empty
            """).smn)
        #expect(smn == Scenario.SMN(url: "https://jobhook.example/intake/smn", topicURN: "urn:smn:r:p:t",
                                    keyFile: "k.pem", certFile: "c.pem", confirm: false, response: .empty))
    }

    @Test(arguments: ["smn: {}", "smn: {url: ftp://h/x}", "smn: {url: http://h/x, response: maybe}"])
    func badSMNKeysAreRefused(yaml: String) {
        #expect(throws: ScenarioError.self) { try Scenario.parse(yaml) }
    }
}
