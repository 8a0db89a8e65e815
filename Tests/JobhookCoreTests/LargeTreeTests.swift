import CCE
import Foundation
@testable import JobhookCore
import Testing

/// Issue 16: every event of a tree carried every sub-job, so N sub-jobs going Failed at once cost
/// N² (1,000 → 362 MB, 2,000 → 1.3 GB, 50,000 never delivered). The lists are capped and `root.*` is
/// summarised once per poll.
@Suite("Large job trees")
struct LargeTreeTests {
    static func tree(subJobs count: Int) -> Job {
        let subs = (0..<count).map { Job(uid: "s-\($0)", type: "CreateNode", phase: "Failed", reason: "node \($0) failed") }
        return Job(uid: "root", type: "CreateCluster", phase: "Running", clusterID: "c-1", subJobs: subs)
    }

    @Test func everyEventCarriesAtMostTheCappedListAndExactCounts() throws {
        let config = try ConfigFixtures.load("""
            cce: {region: r}
            receivers:
              - {name: a, url: 'https://a.example/h'}
            rules:
              - {name: r, match: {phase: Failed, level: subjob}, notify: [a]}
            """)
        let tree = Self.tree(subJobs: 300)
        let changes = PhaseTracker.changes(previous: [:], tree: tree, rootID: "root", detectedAt: Date(timeIntervalSince1970: 1_700_000_000))
        let deliveries = Pipeline.plan(changes, config: config)
        #expect(deliveries.count == 300)
        let limit = TemplateContext.subJobListLimit
        for delivery in [deliveries[0], deliveries[299]] {
            let body = try #require(delivery.request.body)
            #expect(body.count < 20_000, "an event's size must not grow with the tree")
            let document = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
            let root = try #require(document["root"] as? [String: Any])
            #expect((root["subjobs"] as? [Any])?.count == limit)
            #expect((root["failed_subjobs"] as? [Any])?.count == limit)
            #expect(root["subjobs_omitted"] as? Int == 300 - limit)
            #expect(root["failed_subjobs_omitted"] as? Int == 300 - limit)
            #expect(root["subjob_count"] as? Int == 300)
            #expect(root["failed_count"] as? Int == 300)
        }
    }

    @Test func aSmallTreeIsListedWhole() {
        let root = TemplateContext.rootFields(of: Self.tree(subJobs: 3), now: Date())
        #expect(root[path: "subjob_count"] == .int(3))
        #expect(root[path: "subjobs_omitted"] == .int(0))
        if case .list(let items)? = root[path: "subjobs"] { #expect(items.count == 3) } else { Issue.record("no list") }
    }
}
