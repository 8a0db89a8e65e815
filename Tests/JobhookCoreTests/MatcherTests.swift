import CCE
import Foundation
@testable import JobhookCore
import Testing

@Suite("Rule matching")
struct MatcherTests {
    static func rules(_ yaml: String) throws -> [Rule] {
        let full = "cce: {region: r}\nreceivers:\n  - {name: a, url: 'https://a.example/h'}\n  - {name: b, url: 'https://b.example/h'}\nrules:\n" + yaml
        return try ConfigFixtures.load(full).rules
    }

    static func matches(_ match: String, _ change: PhaseChange) throws -> Bool {
        try !Router.route(change, rules: rules("  - {name: r, match: \(match), notify: [a]}\n")).isEmpty
    }

    @Test(arguments: [
        ("{type: CreateCluster}", true), ("{type: DeleteCluster}", false), ("{type: [DeleteCluster, CreateCluster]}", true),
        ("{type: createcluster}", false), ("{type: Create}", false), ("{type: {regex: Create}}", true),
        ("{type: {regex: '^Cluster'}}", false), ("{type: {regex: [xyz, 'Cluster$']}}", true),
        ("{phase: Failed}", true), ("{phase: Success}", false), ("{from: Running}", true), ("{from: Initializing}", false),
        ("{cluster_id: c7d1}", true), ("{cluster_id: other}", false), ("{resource_name: [x, demo-cluster]}", true),
        ("{level: job}", true), ("{level: subjob}", false), ("{level: any}", true), ("{}", true),
        ("{type: CreateCluster, phase: Failed, from: Running}", true), ("{type: CreateCluster, phase: Success}", false),
    ])
    func exactListAndRegexKeys(match: String, expected: Bool) throws {
        #expect(try Self.matches(match, ConfigFixtures.change()) == expected)
    }

    @Test(arguments: [
        ("{reason: quota}", "Quota exceeded", false), ("{reason: '(?i)quota'}", "Quota exceeded", true),
        ("{reason: exceeded}", "Quota exceeded", true), ("{reason: '^exceeded'}", "Quota exceeded", false),
        ("{reason: [nomatch, 'ceed']}", "Quota exceeded", true), ("{reason: {regex: 'a.*d'}}", "Quota exceeded", true),
        ("{reason: '^$'}", nil, true), ("{reason: x}", nil, false),
    ])
    func reasonIsAlwaysARegexSearchedAnywhere(match: String, reason: String?, expected: Bool) throws {
        #expect(try Self.matches(match, ConfigFixtures.change(reason: reason)) == expected)
    }

    @Test func fromEmptyMatchesAFirstSighting() throws {
        let first = ConfigFixtures.change(from: "", to: "Running")
        #expect(try Self.matches(#"{from: ""}"#, first))
        #expect(try Self.matches("{from: ~}", first))
        #expect(try !Self.matches(#"{from: ""}"#, ConfigFixtures.change(from: "Running")))
    }

    @Test func levelSeparatesJobsFromSubJobs() throws {
        let sub = ConfigFixtures.change(type: "InstallMaster", level: .subjob)
        #expect(try Self.matches("{level: subjob}", sub))
        #expect(try !Self.matches("{level: job}", sub))
        #expect(try Self.matches("{level: any}", sub))
        // The sub-job has no cluster_id of its own: it inherits its parent's.
        #expect(try Self.matches("{level: subjob, cluster_id: c7d1}", sub))
    }

    @Test func unlessDropsTheEventOnlyWhenAllItsKeysMatch() throws {
        let rules = try Self.rules("""
              - name: r
                match: {phase: Failed}
                unless: {reason: '(?i)dry.?run', type: CreateCluster}
                notify: [a]
            """ + "\n")
        #expect(Router.route(ConfigFixtures.change(reason: "DryRun requested"), rules: rules).isEmpty)
        #expect(Router.route(ConfigFixtures.change(type: "DeleteCluster", reason: "DryRun requested"), rules: rules).count == 1)
        #expect(Router.route(ConfigFixtures.change(reason: "quota"), rules: rules).count == 1)
    }

    @Test func everyMatchingRuleFiresInFileOrderFannedOutToEachReceiver() throws {
        let yaml = """
            cce: {region: r}
            receivers:
              - {name: a, url: 'https://a.example/h'}
              - {name: b, url: 'https://b.example/h'}
            rules:
              - {name: first, match: {phase: Failed}, notify: [b, a]}
              - {name: never, match: {phase: Success}, notify: [a]}
              - {name: third, match: {type: CreateCluster}, notify: a}
            """
        let config = try ConfigFixtures.load(yaml)
        let change = ConfigFixtures.change()
        #expect(Router.route(change, rules: config.rules).map(\.name) == ["first", "third"])
        let matches = Router.matches(change, config: config)
        #expect(matches.map { "\($0.rule.name)->\($0.receiverName)" } == ["first->b", "first->a", "third->a"])
        #expect(Set(matches.map(\.eventID)).count == 3)
    }

    @Test func eventIDIsDeterministicAndDependsOnChangeRuleAndReceiver() {
        let change = ConfigFixtures.change()
        let id = EventID.make(change: change, rule: "rule", receiver: "recv")
        #expect(id.hasPrefix("evt_") && id.count == 36)
        #expect(id.dropFirst(4).allSatisfy { $0.isHexDigit && !$0.isUppercase })
        // Detection time does not matter: a re-detection after a restart gets the same id.
        var later = change
        later.detectedAt = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(EventID.make(change: later, rule: "rule", receiver: "recv") == id)
        #expect(EventID.make(change: change, rule: "rule", receiver: "other") != id)
        #expect(EventID.make(change: change, rule: "other", receiver: "recv") != id)
        #expect(EventID.make(change: ConfigFixtures.change(from: ""), rule: "rule", receiver: "recv") != id)
        // Pinned: the same across processes, builds and machines (SHA-256 of "root-1|Running|Failed\0rule\0recv").
        #expect(id == Self.pinnedID)
    }

    static let pinnedID = "evt_7302b5080465a14a3a34dfac3d68c103"
}
