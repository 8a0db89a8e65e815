public import Foundation

/// Stops the run when an oracle fails. libFuzzer treats `abort()` as a crash: it prints the stack and
/// saves the input as `crash-…`, which `scripts/fuzz` reports as the reproducer.
public func oracleFailed(_ message: String, file: StaticString = #fileID, line: UInt = #line) -> Never {
    FileHandle.standardError.write(Data("ORACLE FAILED at \(file):\(line): \(message)\n".utf8))
    abort()
}

/// `oracleFailed` unless `condition` holds; the message is built only on failure.
public func oracle(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) {
    if !condition { oracleFailed(message(), file: file, line: line) }
}

/// The fuzzer's input as `Data`. libFuzzer may hand an empty input with any pointer.
public func fuzzInput(_ start: UnsafeRawPointer?, _ count: Int) -> Data {
    guard let start, count > 0 else { return Data() }
    return Data(bytes: start, count: count)
}

/// Several text fields from one input, split at 0x1E (ASCII record separator), so that targets
/// taking more than one string still let libFuzzer mutate each one; missing fields read as "".
/// Any other byte, NUL included, stays inside a field.
public struct FuzzFields {
    public let fields: [String]

    public init(_ data: Data) {
        fields = data.split(separator: 0x1E, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    }

    public subscript(_ index: Int) -> String { index < fields.count ? fields[index] : "" }
}
