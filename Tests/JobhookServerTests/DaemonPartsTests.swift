import CCE
import CurlHTTP
import Foundation
import JobhookCore
@testable import JobhookServer
import Logging
import TestSupport
import Testing

/// Reload and housekeeping, driven directly over a real (in-memory) store.
@Suite("Reload and housekeeping")
struct DaemonPartsTests {
    let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    func engine(_ config: Config, store: SQLiteStore, http: CurlClient) async throws -> Engine {
        try await Engine(config: config, store: store, fetcher: UnreachableCCE(), http: http, logger: quiet)
    }

    @Test func reloadSwitchesRulesAddsNewConfiguredWatchesAndNamesWhatNeedsARestart() async throws {
        let http = CurlClient()
        defer { http.shutdown() }
        let store = try SQLiteStore.inMemory()
        var old = Config(cce: CCESettings(region: "cn-north-4"))
        old.watch.jobs = ["a"]
        let engine = try await engine(old, store: store, http: http)
        var new = old
        new.watch.jobs = ["a", "b"]
        new.cce.region = "cn-east-3"
        let reloaded = new
        let reloader = ConfigReloader(load: { .success(reloaded) }, engine: engine, logger: quiet)
        #expect(await reloader.reload() == nil)
        #expect(engine.config.current.cce.region == "cn-east-3")
        #expect(try await store.watch("b")?.state == .watching)
        #expect(try await store.watch("b")?.source == "config")
        #expect(await engine.poller.isWatching("b"))
        #expect(try await store.watch("a") == nil)  // unchanged entries are not re-added on reload
        #expect(ConfigReloader.sectionsNeedingRestart(old: old, new: new) == ["cce"])
        var moved = new
        moved.smnIntake = SMNIntakeSettings(path: "/elsewhere", topics: ["urn:smn:r:p:t"], certificate: .fetched(hosts: ["h"]))
        #expect(ConfigReloader.sectionsNeedingRestart(old: new, new: moved) == ["intake.smn.path"])
    }

    @Test func aRejectedReloadKeepsThePreviousConfig() async throws {
        let http = CurlClient()
        defer { http.shutdown() }
        let store = try SQLiteStore.inMemory()
        let engine = try await engine(Config(cce: CCESettings(region: "cn-north-4")), store: store, http: http)
        let problem = ConfigProblem(file: "rules.yaml", line: 3, column: 5, message: "unknown key 'x'")
        let reloader = ConfigReloader(load: { .failure(ConfigError(problems: [problem])) }, engine: engine, logger: quiet)
        #expect(await reloader.reload()?.problems == [problem])
        #expect(engine.config.current.cce.region == "cn-north-4")
    }

    @Test func housekeepingPrunesOldHistoryAndKeepsPendingAndRecentDeliveries() async throws {
        let store = try SQLiteStore.inMemory()
        let old = Date().addingTimeInterval(-8 * 86_400)
        let request = RenderedRequest(url: "http://127.0.0.1:9/hook", body: Data("{}".utf8))
        let deliveries = [
            Delivery(id: "old-delivered", receiver: "r", rule: "x", jobID: "j", uid: "j", transition: "t", request: request,
                     state: .delivered, createdAt: old, finishedAt: old),
            Delivery(id: "recent-dead", receiver: "r", rule: "x", jobID: "j", uid: "j", transition: "t", request: request,
                     state: .dead, createdAt: Date(), finishedAt: Date()),
            Delivery(id: "old-pending", receiver: "r", rule: "x", jobID: "j", uid: "j", transition: "t", request: request,
                     createdAt: old, nextAttemptAt: Date().addingTimeInterval(3600)),
        ]
        try await store.record(PollRecord(jobID: "j", tree: Job(uid: "j", phase: "Running"), phases: ["j": "Running"], deliveries: deliveries))
        var housekeeping = Housekeeping(store: store, logger: quiet)
        housekeeping.gaugeInterval = .milliseconds(10)
        let running = Task { try await housekeeping.run() }
        defer { running.cancel() }
        let limit = ContinuousClock.now + Duration.seconds(10).scaledForTests
        while ContinuousClock.now < limit, try await store.delivery("old-delivered") != nil {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(try await store.delivery("old-delivered") == nil)
        #expect(try await store.delivery("recent-dead") != nil)
        #expect(try await store.delivery("old-pending") != nil)
    }
}
