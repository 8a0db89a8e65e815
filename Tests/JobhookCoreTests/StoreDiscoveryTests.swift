import CCE
import Foundation
import JobhookCore
import Testing

@Suite("State store: what discovery knows")
struct StoreDiscoveryTests {
    typealias S = StoreSamples

    @Test(arguments: StoreBackend.allCases)
    func theBaselineIsRecordedOnceAndSurvivesReopening(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            do {
                let store = fixture.store
                #expect(try await store.discoveryBaseline(account: "default") == nil)
                try await store.recordBaseline(account: "default", silent: ["old": ["old": "Failed", "old-sub": "Failed"]], at: S.t0)
                // A second baseline (another replica, a retry) changes nothing.
                try await store.recordBaseline(account: "default", silent: ["other": ["other": "Success"]], at: S.t0.addingTimeInterval(60))
            }
            let store = try await fixture.reopen()
            #expect(try await store.discoveryBaseline(account: "default") == S.t0)
            #expect(try await store.discoveryBaseline(account: "prod-sg") == nil)
            #expect(try await store.knownPhases()["old-sub"] == "Failed")
            #expect(try await store.knownJobIDs().isSuperset(of: ["old"]))
            #expect(try await store.watches().isEmpty, "baseline jobs are not watches")
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func knownJobsAreEveryWatchInAnyStateAndEveryRecordedJob(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            let store = fixture.store
            _ = try await store.addWatch("watching", source: "api", at: S.t0)
            _ = try await store.addWatch("removed", source: "discovery", at: S.t0)
            _ = try await store.removeWatch("removed", at: S.t0)
            try await store.record(S.poll("polled", deliveries: [], state: .finished))
            try await store.recordBaseline(account: "default", silent: ["silent": ["silent": "Success"]], at: S.t0)
            #expect(try await store.knownJobIDs() == ["watching", "removed", "polled", "silent"])
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func aBaselineKeepsPhasesAlreadyRecorded(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            let store = fixture.store
            try await store.record(S.poll("job-1", deliveries: []))
            try await store.recordBaseline(account: "default", silent: ["job-1": ["job-1": "Success", "job-1-sub": "Success"]], at: S.t0)
            #expect(try await store.knownPhases() == ["job-1": "Running", "job-1-sub": "Failed"])
        }
    }
}
