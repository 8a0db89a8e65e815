import CCE
import Foundation
@testable import JobhookCore
import Testing

/// Rule regexes run with a bounded amount of work (issue 16: `(a+)+$` against a reason of 80 `a`s and
/// a `!` stalled every job for ~47 s).
@Suite("Bounded rule regexes")
struct BoundedRegexTests {
    static let hostile = String(repeating: "a", count: 80) + "!"

    @Test func aCatastrophicPatternStopsAtTheLimitAndCountsAsNoMatch() throws {
        let regex = try BoundedRegex("(a+)+$")
        #expect(regex.evaluate(Self.hostile) == .limitExceeded)
        #expect(!regex.matches(Self.hostile))
        #expect(regex.evaluate("aaa") == .match)
        let hits = regex.takeLimitHits()
        #expect(hits.count == 2 && hits.first)
        #expect(regex.takeLimitHits().count == 0)
        _ = regex.evaluate(Self.hostile)
        let again = regex.takeLimitHits()
        #expect(again.count == 1 && !again.first)  // counted again, logged once only
    }

    @Test(arguments: [
        ("(?i)quota", "Quota exceeded", true), ("^exceeded", "Quota exceeded", false), ("a.*d", "Quota exceeded", true),
        (#"\d+ nodes"#, "3 nodes failed", true), (#"\bnode\b"#, "nodes", false), ("^$", "", true),
        ("Ins(tall)?Master|Kube", "InstallMaster", true), ("[^a-z]", "abc", false), ("é", "café", true),
        (#"\w+"#, "节点", true),
    ])
    func rulesKeepTheirMeaning(pattern: String, subject: String, expected: Bool) throws {
        #expect(try BoundedRegex(pattern).matches(subject) == expected)
    }

    @Test func aBadPatternSaysWhatAndWhere() {
        #expect(throws: BoundedRegex.SyntaxError.self) { try BoundedRegex("(unclosed") }
        do {
            _ = try BoundedRegex("ab[c-")
        } catch {
            #expect(error.description.contains("offset 5"), "\(error)")
        }
    }

    /// The case the sweep found, through a real pipeline: the hostile reason does not hold up the
    /// other rule's delivery, and the stalled rule is counted and logged once.
    @Test func aHostileReasonDoesNotStallRouting() throws {
        let rules = try MatcherTests.rules("""
              - {name: slow, match: {reason: '(a+)+$'}, notify: [a]}
              - {name: fast, match: {phase: Failed}, notify: [b]}
            """)
        let routed = Router.route(ConfigFixtures.change(reason: Self.hostile), rules: rules)
        #expect(routed.map(\.name) == ["fast"])
        #expect(rules[0].expressions.first?.takeLimitHits().count == 1)
    }

    @Test(arguments: [
        ("(a+)+$", true), (#"(\w*)*x"#, true), ("(x+y?)+", true), ("((ab)*c)*", true), ("(a|b+)*", true),
        ("(a+)++", false), ("(?>a+)+", false), ("(ab)+", false), ("a+b+", false), ("[(a+)]+", false),
        (#"\(a+\)+"#, false), ("(a{2,5})+", false), ("(a{2,})+", true), ("(?i)dry.?run", false), ("x{", false),
    ])
    func checkWarnsAboutNestedRepetition(pattern: String, risky: Bool) {
        #expect((RegexRisk.warning(for: pattern) != nil) == risky, "\(pattern)")
    }

    @Test func checkPointsAtTheRiskyPattern() throws {
        let config = try ConfigFixtures.load("""
            cce: {region: r}
            receivers:
              - {name: a, url: 'https://a.example/h'}
            rules:
              - name: r
                match: {reason: '(a+)+$'}
                notify: [a]
            """)
        let warnings = ConfigCheck.run(config)
        #expect(warnings.contains { $0.line == 6 && $0.message.contains("can backtrack badly") && $0.message.contains("rule 'r'.match.reason") },
                "\(warnings)")
    }
}
