import CCE
import Foundation
import JobhookCore
import Testing

@Suite("jobhook jobs: the report (pure)")
struct JobsReportTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func job(_ id: String, _ phase: String, type: String = "CreateCluster", cluster: String = "c-1", age: TimeInterval?) -> Job {
        Job(uid: id, type: type, phase: phase, clusterID: cluster, resourceName: "\(id)-name", createdAt: age.map { now.addingTimeInterval(-$0) })
    }

    @Test func newestFirstThenUndatedWithTheWatchState() {
        let jobs = [job("old", "Success", age: 86_400 * 3), job("undated", "Running", age: nil), job("new", "Failed", age: 90)]
        let report = JobsReport(jobs: jobs, watches: ["new": .finished])
        #expect(report.rows.map(\.id) == ["new", "old", "undated"])
        #expect(report.cells(now: now).first == ["new", "CreateCluster", "Failed", "c-1", "new-name", "90s", "finished"])
        #expect(report.cells(now: now)[1][5] == "3d")
    }

    @Test func filtersByClusterTypeAndRunning() {
        let jobs = [job("a", "Running", age: 10), job("b", "Success", age: 20), job("c", "Running", type: "CreateNode", cluster: "c-2", age: 30)]
        #expect(JobsReport(jobs: jobs, watches: [:], filter: .init(cluster: "c-2")).rows.map(\.id) == ["c"])
        #expect(JobsReport(jobs: jobs, watches: [:], filter: .init(type: "CreateCluster")).rows.map(\.id) == ["a", "b"])
        #expect(JobsReport(jobs: jobs, watches: [:], filter: .init(running: true)).rows.map(\.id) == ["a", "c"])
    }

    @Test func agesUseTheLargestUnitThatFits() {
        #expect([45, 150, 7_300, 200_000].map { JobsReport.age(TimeInterval($0)) } == ["45s", "2m", "2h", "2d"])
    }
}
