import CCE
import Foundation
@testable import JobhookCore
import Testing

@Suite("Config: several CCE accounts")
struct AccountConfigTests {
    static let two = """
        cce:
          - name: prod-bj4
            region: cn-north-4
            project_id: p-bj4
            auth: {token: t1}
            discover: {via: clusters}
            watch: {jobs: [job-a]}
          - name: prod-sg
            region: ap-southeast-3
            project_id: p-sg
            auth: {token_file: /run/secrets/sg}
        discover: {interval: 1m}
        receivers:
          - {name: r, url: "https://example.com/h"}
        rules:
          - name: sg-only
            match: {account: prod-sg, phase: Failed}
            notify: [r]
        """

    @Test func aListOfNamedAccountsLoadsEachWithItsOwnSettings() throws {
        let config = try ConfigFixtures.load(Self.two)
        #expect(config.accounts.map(\.name) == ["prod-bj4", "prod-sg"])
        #expect(config.accounts.map(\.cce.region) == ["cn-north-4", "ap-southeast-3"])
        #expect(config.cce.projectID == "p-bj4", "the first account stands for `cce` where one is needed")
        #expect(config.discover(for: "prod-bj4")?.via == .clusters, "an account's own discover wins")
        #expect(config.discover(for: "prod-sg")?.interval == .seconds(60), "the top-level discover applies to the others")
        #expect(config.configuredWatches.map { "\($0.account)/\($0.jobID)" } == ["prod-bj4/job-a"])
    }

    @Test func theSingleFormIsTheAccountDefault() throws {
        let config = try ConfigFixtures.load("cce: {region: r, project_id: p}\nwatch: {jobs: [j1]}\n")
        #expect(config.accounts.map(\.name) == ["default"])
        #expect(config.configuredWatches.map { "\($0.account)/\($0.jobID)" } == ["default/j1"])
    }

    @Test func aRuleMatchesOnTheAccount() throws {
        let config = try ConfigFixtures.load(Self.two)
        var change = ConfigFixtures.change()
        change.account = "prod-bj4"
        #expect(Router.matches(change, config: config).isEmpty)
        change.account = "prod-sg"
        #expect(Router.matches(change, config: config).map(\.rule.name) == ["sg-only"])
    }

    @Test func ambiguousAndUnknownNamesAreReportedWhereTheyAre() {
        let problems = ConfigFixtures.problems("""
            cce:
              - name: prod
                region: r1
              - name: prod
                region: r2
              - region: r3
            watch: {jobs: [j1]}
            receivers:
              - {name: r, url: "https://example.com/h"}
            rules:
              - name: x
                match: {account: staging}
                notify: [r]
            """)
        #expect(problems.contains { $0.hasPrefix("rules.yaml:4:11:") && $0.contains("ambiguous") && $0.contains("line 2") })
        #expect(problems.contains { $0.hasPrefix("rules.yaml:2:11:") && $0.contains("ambiguous") && $0.contains("line 4") })
        #expect(problems.contains { $0.hasPrefix("rules.yaml:6:5:") && $0.contains("missing 'name' in cce[2]") })
        #expect(problems.contains { $0.hasPrefix("rules.yaml:12:22:") && $0.contains("unknown account 'staging'") })
        #expect(problems.contains { $0.hasPrefix("rules.yaml:7:8:") && $0.contains("each account's own watch") })
    }

    @Test func accountKeysAreCheckedLikeTheSingleForm() {
        let problems = ConfigFixtures.problems("""
            cce:
              - name: a b
                region: r
                auth: {token: t, token_file: f}
                colour: blue
            """)
        #expect(problems.contains { $0.hasPrefix("rules.yaml:2:11:") && $0.contains("letters, digits") })
        #expect(problems.contains { $0.hasPrefix("rules.yaml:4:11:") && $0.contains("cce[0].auth: more than one authentication method") })
        #expect(problems.contains { $0.hasPrefix("rules.yaml:5:5:") && $0.contains("unknown key 'colour' in cce[0]") })
        #expect(ConfigFixtures.problems("cce: []\n").contains { $0.contains("an empty list") })
    }
}
