import CCE
import Foundation
@testable import JobhookCore
import Testing

/// Measurements for the issue notes, not assertions on speed: run with `JOBHOOK_MEASURE=1`.
/// The silence stage with 1,000 active silences (990 on other clusters, 10 without a cluster) against
/// no silences: planning 10,000 changes of a cluster that none of them covers.
@Suite("Silence measurements", .enabled(if: ProcessInfo.processInfo.environment["JOBHOOK_MEASURE"] != nil))
struct SilenceMeasure {
    @Test func theSilenceStageWith1000ActiveSilences() throws {
        let config = try ConfigFixtures.load(SilenceTests.config)
        let now = Date()
        var silences = (0..<990).map { n in
            Silence(matchers: [SilenceMatcher(key: "cluster_id", value: "c-\(n)")], startsAt: now - 60, endsAt: now + 3600, createdBy: "m", comment: "")
        }
        silences += (0..<10).map { n in
            Silence(matchers: [SilenceMatcher(key: "resource_name", value: "other-\(n)"), SilenceMatcher(key: "reason", value: "quota \(n)", isRegex: true)],
                    startsAt: now - 60, endsAt: now + 3600, createdBy: "m", comment: "")
        }
        let set = SilenceSet(silences)
        let changes = (0..<10_000).map { n in
            let root = ConfigFixtures.job(uid: "job-\(n)", reason: "disk full", clusterID: "c-free")
            return PhaseChange(rootID: root.uid!, uid: root.uid!, level: .job, from: "Running", to: "Failed", job: root, parent: nil, root: root, detectedAt: now)
        }
        func time(_ silences: SilenceSet) -> Duration {
            let clock = ContinuousClock()
            return clock.measure { for change in changes { _ = Pipeline.plan([change], config: config, silences: silences) } }
        }
        _ = time(.empty)
        let without = time(.empty)
        let with = time(set)
        let lookup = ContinuousClock().measure { for change in changes { _ = set.silencing(change) } }
        print("silence stage: plan per change \(without / 10_000) without silences, \(with / 10_000) with 1,000; lookup alone \(lookup / 10_000) per change")
    }
}
