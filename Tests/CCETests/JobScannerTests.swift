@testable import CCE
import Foundation
import Testing

/// `Job.decode` (the one-pass `JobScanner`) against the Foundation `JSONDecoder` path it replaced.
@Suite struct JobScannerTests {
    /// Both paths' outcome: the job, or the error's text.
    static func outcomes(_ json: String) -> (scanner: Result<Job, JobDecodingError>, foundation: Result<Job, JobDecodingError>) {
        let data = Data(json.utf8)
        var scanner = Result { () throws(JobDecodingError) in try Job.decode(data) }
        // Foundation calls too deep a document "not valid JSON"; the scanner says how deep it went.
        if case .failure(let error) = scanner, error.description.contains("nested deeper") {
            scanner = .failure(JobDecodingError(Job.looksTruncated(data) ? "truncated JSON" : "malformed JSON"))
        }
        return (scanner, Result { () throws(JobDecodingError) in try Job.decodeWithFoundation(data) })
    }

    static let samples = [
        JobFixtures.documentationExample,
        JobFixtures.chain(depth: 10),
        #"{"spec":{"subJobs":[{}, {"status":{}}, {"metadata":{"uid":"x"}}, null, "junk", {"spec":null,"status":null}]}}"#,
        #"{"metadata":{"uid":"old"},"spec":{"type":"CreateNode","clusteruid":"c1","resourceid":"r1","resourcename":"n1","extendparam":{"a":"b"},"subjobs":[{"metadata":{"uid":"s1"},"status":{"status":"Success"}}]},"status":{"status":"Running"}}"#,
        #"{"kind":"Job","extra":{"deep":[1,2,3]},"metadata":{"uid":"j1","creationTimestamp":null,"updateTimestamp":"yesterday"},"spec":{"type":null,"ownerJob":"parent","future":true,"extendParam":{"count":3,"ratio":1.5,"on":true,"gone":null,"obj":{"a":1},"s":"v"}},"status":{"phase":"Paused","reason":null,"message":"waiting for quota"}}"#,
        #"{"metadata":{"uid":1,"uid":2},"status":{"phase":"a","phase":null},"spec":{"extendParam":{"k":null,"k":"v","j":"1","j":2}}}"#,
        #"{"metadata":null,"metadata":{"uid":"second"}}"#,
        #"{"metadata":{"u\u0069d":"esc\u00e9\ud83d\ude00\n\"\\\/"},"status":{"phase":"\ud800"}}"#,
        #"{"spec":{"clusterUID":null,"clusteruid":"legacy","subJobs":{"a":1},"subjobs":[{"kind":"Job"}]}}"#,
        #"{"spec":{"extendParam":"x","extendparam":{"n":-0.0,"big":12345678901234567890,"e":1e2,"tiny":1e-400,"huge":1e400}}}"#,
        #"{"spec":{"subJobs":[],"subjobs":[{}]}}"#,
        #"{"kind":null}"#,
        #"{"error_code":"CCE.01","error_msg":"no"}"#,
        "{}",
        " \n{\"status\":{\"phase\":\"Running\"}}\n ",
        "{\"a\":" + String(repeating: "[", count: 511) + String(repeating: "]", count: 511) + ",\"kind\":1}",
        "{\"a\":" + String(repeating: "[", count: 512) + String(repeating: "]", count: 512) + ",\"kind\":1}",
        #"{"a":[tru]}"#,
        #"{"metadata":{"uid":"j1"}} x"#,
    ]

    @Test(arguments: samples)
    func fixturesDecodeAsFoundationDecodesThem(json: String) {
        let (scanner, foundation) = Self.outcomes(json)
        #expect(scanner == foundation)
    }

    @Test func generatedDocumentsDecodeAsFoundationDecodesThem() {
        var decoded: [Job] = []
        for seed in UInt64(1)...600 {
            var generator = JobDocumentGenerator(seed: seed)
            let json = generator.job(depth: 0, maxDepth: seed % 50 == 0 ? 10 : Int(seed % 4), forceChain: seed % 50 == 0)
            let (scanner, foundation) = Self.outcomes(json)
            #expect(scanner == foundation, "seed \(seed): \(json)")
            if case .success(let job) = scanner { decoded.append(job) }
        }
        // The generator must exercise the interesting cases, not only produce errors or empty jobs.
        #expect(decoded.count > 400)
        #expect(decoded.filter { !$0.subJobs.isEmpty }.count > 100)
        #expect(decoded.filter { !$0.extendParam.isEmpty }.count > 100)
        #expect(decoded.filter { $0.createdAt != nil }.count > 50)
        #expect(decoded.contains { $0.uid?.unicodeScalars.contains { $0.value > 0xFFFF } == true })
        #expect(decoded.contains { $0.phase == "Paused" })
    }

    @Test func generatedTenLevelTreesKeepEveryLevel() throws {
        var generator = JobDocumentGenerator(seed: 42)
        generator.duplicates = false
        let json = #"{"kind":"Job","spec":{"subJobs":["# + generator.job(depth: 1, maxDepth: 10, forceChain: true) + "]}}"
        var job = try Job.decode(Data(json.utf8))
        var depth = 1
        while let child = job.subJobs.first {
            job = child
            depth += 1
        }
        #expect(depth == 11)
        #expect(try Job.decode(Data(json.utf8)) == Job.decodeWithFoundation(Data(json.utf8)))
    }

    @Test func everyTruncationOfTheExampleIsAnError() {
        let full = Array(JobFixtures.documentationExample.utf8)
        for length in 0..<full.count {
            let data = Data(full[0..<length])
            #expect(throws: JobDecodingError.self, "prefix of \(length) bytes") { try Job.decode(data) }
        }
    }

    @Test func everySingleByteCorruptionIsHandledWithoutCrashing() {
        let full = Array(JobFixtures.documentationExample.utf8)
        var rng = SplitMix64(state: 7)
        for offset in 0..<full.count {
            var bytes = full
            bytes[offset] = UInt8.random(in: 0...255, using: &rng)
            // Either outcome is fine; reaching the next line is the point.
            _ = try? Job.decode(Data(bytes))
        }
    }

    /// Found by the `show-job` fuzz target: Foundation drops an object with a key that is not Unicode
    /// text (and fails a top-level one); the scanner skips that key and keeps the rest of the job.
    @Test(arguments: [
        (Array(#"{"metadata":{"uid":"a","x"#.utf8) + [0xFF] + Array(#"y":1}}"#.utf8), "a", [:]),
        (Array(#"{"metadata":{"uid":"a"},"x"#.utf8) + [0xFF] + Array(#"y":1}"#.utf8), "a", [:]),
        (Array(#"{"metadata":{"uid":"a","\udc00":1}}"#.utf8), "a", [:]),
        (Array(#"{"metadata":{"uid":"a"},"spec":{"extendParam":{"k"#.utf8) + [0xFF] + Array(#"":"v","j":"w"}}}"#.utf8), "a", ["j": "w"]),
    ] as [([UInt8], String, [String: String])])
    func keysThatAreNotUnicodeAreSkipped(body: [UInt8], uid: String, extendParam: [String: String]) throws {
        let job = try Job.decode(Data(body))
        #expect(job.uid == uid)
        #expect(job.extendParam == extendParam)
    }

    /// Found by the `show-job` fuzz target: a timestamp whose zone name is not valid UTF-8 was read
    /// (the zone name is ignored) where Foundation, and the scanner's own rule, make it nil.
    @Test func timestampsThatAreNotTextAreNil() throws {
        let body = Array(#"{"metadata":{"updateTimestamp":"2018-08-02 08:21:50 +0000 UT"#.utf8) + [0xFF] + Array(#"C"}}"#.utf8)
        #expect(try Job.decode(Data(body)).updatedAt == nil)
        #expect(try Job.decode(Data(body)) == Job.decodeWithFoundation(Data(body)))
        let chinese = #"{"metadata":{"updateTimestamp":"2018-08-02 16:21:50 +0800 中国标准时间"}}"#
        #expect(try Job.decode(Data(chinese.utf8)).updatedAt == GoTimestamp.parse("2018-08-02 08:21:50 +0000 UTC"))
        #expect(try Job.decode(Data(chinese.utf8)) == Job.decodeWithFoundation(Data(chinese.utf8)))
    }

    @Test(arguments: [
        ("", "empty body"),
        ("<html><body>Gateway</body></html>", "HTML page"),
        ("[{\"metadata\":{}}]", "array"),
        (#"{"metadata":{"uid":"j1"}"#, "truncated JSON"),
        (#"{"metadata":{"uid":"j1}}"#, "truncated JSON"),
        (#"{"metadata": nope}"#, "malformed JSON"),
        (#"{"metadata":{"uid":01}}"#, "malformed JSON"),
        (#"{"metadata":{"uid":"\x"}}"#, "malformed JSON"),
        (#"{"metadata":{"uid":"a"},}"#, "malformed JSON"),
        ("{\"metadata\":{\"uid\":\"a\nb\"}}", "malformed JSON"),
        ("{\"metadata\":{}}\u{0b}", "malformed JSON"),
        ("{\"a\":" + String(repeating: "[", count: 100_000), "nested deeper than 512 levels"),
        (#"{"error_code":"CCE.01"}"#, "without metadata, spec or status"),
    ])
    func malformedBodiesAreErrors(body: String, expected: String) {
        #expect {
            _ = try Job.decode(Data(body.utf8))
        } throws: { error in
            String(describing: error).contains(expected) && !String(describing: error).contains("j1")
        }
    }

    /// `JOBHOOK_MEASURE=1 swift test -c release --enable-testable-imports --scratch-path .build-perf2 --filter JobScannerTests/measure`
    @Test(.enabled(if: ProcessInfo.processInfo.environment["JOBHOOK_MEASURE"] == "1"))
    func measureDecodingTheDocumentationExample() throws {
        let data = Data(JobFixtures.documentationExample.utf8)
        func microseconds(_ decode: (Data) throws(JobDecodingError) -> Job) throws -> Double {
            let rounds = 20_000
            for _ in 0..<1_000 { _ = try decode(data) }
            let clock = ContinuousClock()
            let elapsed = try clock.measure { for _ in 0..<rounds { _ = try decode(data) } }
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            return seconds * 1e6 / Double(rounds)
        }
        let foundation = try microseconds(Job.decodeWithFoundation)
        let scanner = try microseconds(Job.decode)
        print("Job decode of the documentation example: JSONDecoder \(foundation) µs, JobScanner \(scanner) µs")
    }
}
