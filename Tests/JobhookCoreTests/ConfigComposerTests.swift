import Foundation
@testable import JobhookCore
import Testing

/// Issue 16's sweep: a ~700-byte alias bomb took `check` past 60 s and 2.9 GB, and only the first
/// duplicate key was ever reported. Both bounded or complete now, at FILE:LINE:COLUMN.
@Suite("Config YAML: alias bombs, alias keys, every duplicate")
struct ConfigComposerTests {
    static let head = "cce:\n  region: r\n"

    /// Nine levels of nine aliases each: 9^9 (387 million) leaves once expanded, in well under 1 KiB.
    static func bomb() -> String {
        var lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
        for level in 1...9 {
            let refs = Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ")
            lines.append("a\(level): &a\(level) [\(refs)]")
        }
        return lines.joined(separator: "\n")
    }

    @Test func anAliasBombInABodyIsRefusedQuicklyWithItsPlace() {
        let yaml = Self.head + "receivers:\n  - name: a\n    url: https://a.example/h\n    body:\n"
            + Self.bomb().split(separator: "\n").map { "      " + $0 }.joined(separator: "\n") + "\n"
        #expect(yaml.utf8.count < 1024)
        let started = ContinuousClock.now
        let problems = ConfigFixtures.problems(yaml)
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(problems.count == 1)
        #expect(problems.first?.hasPrefix("rules.yaml:") == true)
        #expect(problems.first?.contains("more than 100000 values once its YAML aliases (*name) are expanded") == true, "\(problems)")
    }

    @Test func anAliasAsAMappingKeyIsRefusedBeforeYamsHashesIt() {
        let yaml = Self.bomb() + "\nreceivers:\n  - name: a\n    url: https://a.example/h\n    headers:\n      *a9 : v\n"
        let started = ContinuousClock.now
        let problems = ConfigFixtures.problems(yaml)
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(problems == ["rules.yaml:15:7: a YAML alias (*a9) cannot be a mapping key: keys must be plain strings"])
    }

    @Test func aPlainAliasValueStillWorks() throws {
        let yaml = Self.head + "receivers:\n  - name: a\n    url: &u https://a.example/h\n  - name: b\n    url: *u\n"
        let config = try ConfigFixtures.load(yaml)
        #expect(config.receivers.map(\.url.reveal) == ["https://a.example/h", "https://a.example/h"])
    }

    @Test func everyDuplicateKeyIsReportedBesideTheOtherProblems() {
        let yaml = """
            cce:
              region: r
              region: s
            poll:
              interval: 5s
              interval: 6s
              interval: 7s
              concurrency: 0
            receivers:
              - name: a
                url: https://a.example/h
                "url": https://b.example/h
            """
        #expect(ConfigFixtures.problems(yaml) == [
            "rules.yaml:2:3: duplicate key 'region' in one mapping: it appears again below (only one may stay)",
            "rules.yaml:5:3: duplicate key 'interval' in one mapping: it appears again below (only one may stay)",
            "rules.yaml:6:3: duplicate key 'interval' in one mapping: it appears again below (only one may stay)",
            "rules.yaml:8:16: poll.concurrency: expected a positive whole number (got '0')",
            "rules.yaml:11:5: duplicate key 'url' in one mapping: it appears again below (only one may stay)",
        ])
    }
}
