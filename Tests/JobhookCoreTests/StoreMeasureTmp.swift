import CCE
import CurlHTTP
import Foundation
import JobhookCore
import Testing

@Suite struct StoreMeasureTmp {
    @Test func measure() async throws {
        let dir = try StoreDirectory()
        defer { dir.cleanUp() }
        let store = try SQLiteStore(path: dir.storePath)
        let body = Data(String(repeating: "{\"msg_type\":\"text\",\"content\":{\"text\":\"CCE CreateCluster prod-cluster is Failed: quota\"}}", count: 5).utf8)
        let n = 10_000
        let clock = ContinuousClock()
        var ids: [String] = []
        let t0 = clock.now
        for i in 0..<n {
            let id = "evt_" + String(format: "%032x", i)
            ids.append(id)
            let d = Delivery(id: id, receiver: "ops-chat", rule: "cluster-create-failed", jobID: "354331b2c-229a-11e8-9c75-0255ac100ceb",
                             uid: "sub-\(i)", transition: "Running → Failed",
                             request: RenderedRequest(url: "https://open.feishu.cn/open-apis/bot/v2/hook/0123456789abcdef0123456789abcdef",
                                                      headers: [HTTPHeader("X-Source", "jobhook")], body: body),
                             createdAt: Date())
            try await store.record(PollRecord(jobID: "job-\(i % 50)", tree: Job(uid: "job-\(i % 50)", type: "CreateCluster", phase: "Running"),
                                              phases: ["job-\(i % 50)": "Running", "sub-\(i)": "Failed"], deliveries: [d]))
        }
        let t1 = clock.now
        for id in ids {
            let due = Delivery(id: id, receiver: "ops-chat", rule: "r", jobID: "j", uid: "u", transition: "",
                               request: RenderedRequest(url: "x"), state: .delivered, attempts: 1, createdAt: Date(), finishedAt: Date())
            try await store.update(due)
        }
        let t2 = clock.now
        // dispatcher-like: due query + update
        try store.checkpoint()
        let size = (try FileManager.default.attributesOfItem(atPath: dir.storePath)[.size] as? Int) ?? 0
        let wal = (try? FileManager.default.attributesOfItem(atPath: dir.storePath + "-wal")[.size] as? Int) ?? 0
        let rec = Double(n) / (t1 - t0).seconds
        let upd = Double(n) / (t2 - t1).seconds
        // batched: 100 deliveries per poll record
        let dir2 = try StoreDirectory()
        defer { dir2.cleanUp() }
        let store2 = try SQLiteStore(path: dir2.storePath)
        let t3 = clock.now
        for b in 0..<(n / 100) {
            let ds = (0..<100).map { k in Delivery(id: "b\(b)-\(k)", receiver: "ops-chat", rule: "cluster-create-failed", jobID: "j", uid: "u\(k)", transition: "Running → Failed",
                request: RenderedRequest(url: "https://open.feishu.cn/open-apis/bot/v2/hook/0123456789abcdef0123456789abcdef", body: body), createdAt: Date()) }
            try await store2.record(PollRecord(jobID: "j", tree: Job(uid: "j"), phases: ["j": "Running"], deliveries: ds))
        }
        let t4 = clock.now
        let due = try await store2.dueDeliveries(now: Date(), limit: 100, excluding: [])
        let t5 = clock.now
        print("MEASURE batched record/s=\(Int(Double(n) / (t4 - t3).seconds)) due100=\((t5 - t4)) n=\(due.count)")
        print("MEASURE record/s=\(Int(rec)) update/s=\(Int(upd)) bytes=\(size)+\(wal) perK=\((size + wal) / (n / 1000))")
    }
}
