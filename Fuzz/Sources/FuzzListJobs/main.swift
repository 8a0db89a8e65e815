@testable import CCE
import Foundation
import FuzzSupport

/// ListJobs, differential: `Job.decodeList` (the scanner) against a `JSONDecoder` reading of the same
/// listing through `Job.init(from:)`, the element decoder ShowJob's reference path uses. The rules
/// modelled here are the documented ones: a bare array or `items`, `items: null` is empty, no `items`
/// is an empty listing only with `kind` or `apiVersion`, non-object elements are skipped. As for
/// ShowJob, inputs with an object key that is not Unicode text are left out of the comparison.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzListJobs(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let data = fuzzInput(start, count)
    let scanner = Result { () throws(JobDecodingError) in try Job.decodeList(data) }
    if case .success = scanner, !StrictJSON.keysAreUnicode(Array(data)) { return 0 }
    let foundation = Result { try JSONDecoder().decode(ReferenceListing.self, from: data).jobs }
    switch (scanner, foundation) {
    case (.success(let fast), .success(let reference)):
        oracle(fast.count == reference.count, "scanner listed \(fast.count) jobs, JSONDecoder \(reference.count)")
        for (index, (a, b)) in zip(fast, reference).enumerated() {
            if let difference = jobDifference(a, b, path: "items[\(index)]") {
                oracleFailed("scanner and JSONDecoder read different listings: \(difference)")
            }
        }
    case (.success(let jobs), .failure(let error)):
        oracleFailed("scanner read \(jobs.count) jobs from a listing JSONDecoder rejects (\(error))")
    case (.failure(let error), .success):
        oracle(!StrictJSON.isValid(Array(data)), "scanner rejected a well-formed listing that JSONDecoder reads (\(error))")
    case (.failure, .failure):
        break
    }
    return 0
}

/// The program's `main` (SwiftPM links `main=FuzzListJobs_main`): hands over to libFuzzer.
@_cdecl("FuzzListJobs_main")
public func fuzzListJobsMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, size in fuzzListJobs(data.map(UnsafeRawPointer.init), size) }
}

/// A ListJobs answer as `Job.decodeList` documents it, read with Foundation.
struct ReferenceListing: Decodable {
    var jobs: [Job]

    struct NotAListing: Error {}

    init(from decoder: any Decoder) throws {
        if var array = try? decoder.unkeyedContainer() {
            jobs = try Self.elements(&array)
            return
        }
        let top = try decoder.container(keyedBy: WireKey.self)
        let items = WireKey("items")
        if top.contains(items) {
            if try top.decodeNil(forKey: items) {
                jobs = []
            } else {
                var array = try top.nestedUnkeyedContainer(forKey: items)
                jobs = try Self.elements(&array)
            }
        } else if top.contains(WireKey("kind")) || top.contains(WireKey("apiVersion")) {
            jobs = []
        } else {
            throw NotAListing()
        }
    }

    /// Object elements as jobs; other elements (null, strings, arrays) skipped.
    static func elements(_ array: inout any UnkeyedDecodingContainer) throws -> [Job] {
        var jobs: [Job] = []
        while !array.isAtEnd {
            if let job = try array.decode(Slot.self).job { jobs.append(job) }
        }
        return jobs
    }

    struct Slot: Decodable {
        var job: Job?
        init(from decoder: any Decoder) throws {
            guard (try? decoder.container(keyedBy: WireKey.self)) != nil else { job = nil; return }
            job = try Job(from: decoder)
        }
    }
}
