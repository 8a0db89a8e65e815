import CCE
import CurlHTTP
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing
import TestSupport

/// Peak memory of listing decodes, for the issue notes, not assertions: run alone (other tests would
/// share the process's peak) with `JOBHOOK_MEASURE=1 swift test --filter ListingMeasure`.
@Suite("Listing measurements", .enabled(if: ProcessInfo.processInfo.environment["JOBHOOK_MEASURE"] != nil),
       .serialized)
struct ListingMeasure {
    /// A field of `/proc/self/status` in KiB (`VmRSS`, `VmHWM`).
    static func status(_ field: String) -> Int {
        let text = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = text.split(separator: "\n").first { $0.hasPrefix(field + ":") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
    }

    /// Resets `VmHWM` to the current RSS (Linux `clear_refs` value 5).
    static func resetPeak() {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return }
        handle.write(Data("5".utf8))
        try? handle.close()
    }

    /// glibc's `malloc_trim(0)` (not exported by the Glibc module): freed fixture buffers would
    /// otherwise stay resident and hide the decode's own growth.
    static func trimHeap() {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
        typealias MallocTrim = @convention(c) (Int) -> Int32
        _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)
        #endif
    }

    /// Runs `body` and prints the peak RSS above the RSS just before it.
    static func peak(_ label: String, input: Int, _ body: () async throws -> Int) async rethrows {
        trimHeap()
        let before = status("VmRSS")
        resetPeak()
        let start = ContinuousClock.now
        let count = try await body()
        let elapsed = ContinuousClock.now - start
        let peak = status("VmHWM")
        print("MEASURE \(label): \(count) jobs from \(input >> 10) KiB in \(elapsed); RSS before \(before >> 10) MiB, peak \(peak >> 10) MiB (+\((peak - before) >> 10) MiB)")
    }

    @Test func decodeFiftyThousandJobs() async throws {
        let data = ListingFixtures.manyV2Jobs(50_000)
        try await Self.peak("Job.decodeList x50000", input: data.count) { try Job.decodeList(data).count }
    }

    /// The same listing through Foundation's `JSONDecoder` (Job's `Decodable`), for comparison only.
    @Test func decodeFiftyThousandJobsWithJSONDecoder() async throws {
        struct List: Decodable { var items: [Job] }
        let data = ListingFixtures.manyV2Jobs(50_000)
        try await Self.peak("JSONDecoder x50000 (comparison)", input: data.count) {
            try JSONDecoder().decode(List.self, from: data).items.count
        }
    }

    @Test func decodeAJobWithATenMegabyteReason() async throws {
        let plain = ListingFixtures.manyV2Jobs(1, reason: String(repeating: "quota exceeded ", count: 700_000))
        try await Self.peak("Job.decodeList 10 MB reason (no escapes)", input: plain.count) { try Job.decodeList(plain).count }
    }

    @Test func decodeAJobWithATenMegabyteEscapedReason() async throws {
        let escaped = ListingFixtures.manyV2Jobs(1, reason: String(repeating: #"line \"x\"\n"#, count: 800_000))
        try await Self.peak("Job.decodeList 10 MB reason (escaped)", input: escaped.count) { try Job.decodeList(escaped).count }
    }

    @Test func listJobsOverHTTPWithFiftyThousandJobs() async throws {
        let body = ListingFixtures.manyV2Jobs(50_000)
        let server = try LoopbackServer { _ in .respond(headers: [HTTPHeader("Content-Type", "application/json")], body: body) }
        defer { server.stop() }
        let client = CCEClient(endpoint: try CCEEndpoint(url: server.url("/")), projectID: "p123", http: CurlClient(),
                               credentials: StaticToken(Secret("t")), timeout: .seconds(60), logger: .silent)
        try await Self.peak("CCEClient.listJobs x50000 (incl. loopback server's send)", input: body.count) {
            try await client.listJobs().count
        }
    }
}
