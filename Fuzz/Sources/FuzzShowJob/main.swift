@testable import CCE
import Foundation
import FuzzSupport

/// ShowJob, differential: the one-pass `JobScanner` (`Job.decode`) against the `JSONDecoder` path it
/// replaced (`Job.decodeWithFoundation`). On every input both read the same job field by field, or
/// both reject it — except that the scanner may reject what is not RFC 8259 grammar and Foundation
/// reads anyway (`01`, `"\x"`, raw control characters, trailing commas), and that an object with a
/// key that is not Unicode text is read by its other keys where Foundation drops the object or the
/// whole body (both documented on `JobScanner`; found by this target).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzShowJob(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let data = fuzzInput(start, count)
    let scanner = Result { () throws(JobDecodingError) in try Job.decode(data) }
    if case .success = scanner, !StrictJSON.keysAreUnicode(Array(data)) { return 0 }
    let foundation = Result { () throws(JobDecodingError) in try Job.decodeWithFoundation(data) }
    switch (scanner, foundation) {
    case (.success(let fast), .success(let reference)):
        if let difference = jobDifference(fast, reference) {
            oracleFailed("scanner and JSONDecoder read different jobs: \(difference)")
        }
    case (.success, .failure(let error)):
        oracleFailed("scanner read a job JSONDecoder rejects (\(error))")
    case (.failure(let error), .success):
        oracle(!StrictJSON.isValid(Array(data)), "scanner rejected well-formed JSON that JSONDecoder reads (\(error))")
    case (.failure, .failure):
        break
    }
    return 0
}

/// The program's `main` (SwiftPM links `main=FuzzShowJob_main`): hands over to libFuzzer.
@_cdecl("FuzzShowJob_main")
public func fuzzShowJobMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, size in fuzzShowJob(data.map(UnsafeRawPointer.init), size) }
}
