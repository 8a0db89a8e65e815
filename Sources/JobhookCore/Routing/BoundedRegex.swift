internal import CPCRE2
internal import Synchronization

/// A regular expression from rules.yaml, matched with bounded work whatever the user wrote.
///
/// Rules are written by people and matched against text CCE chose (a reason can be any string), so a
/// pattern like `(a+)+$` must not let one odd reason stall every other job's alert: ICU (behind
/// `NSRegularExpression`) backtracks without limit. PCRE2 is a backtracking engine too, but stops a
/// match after `matchLimit` steps, `depthLimit` nested backtracking points or `heapLimitKiB` of
/// memory; such a match counts as no match, and the hit is counted here so the pipeline can log it
/// once per rule and count it (`takeLimitHits`). Syntax: PCRE2's, which agrees with ICU's for what
/// rules use (`(?i)`, classes, anchors, alternation, `\d`/`\w` Unicode-aware through `UCP`).
///
/// A compiled PCRE2 pattern is read-only and may be matched from several threads at once (pcre2api
/// "Multithreading"); each match gets its own match data. Hence `@unchecked Sendable`.
public final class BoundedRegex: @unchecked Sendable {
    public let pattern: String
    /// Where the pattern was written (`rule 'x'.match.reason`, and its place in the file), for the
    /// log line and `check`'s warning.
    public let origin: Origin
    private let code: OpaquePointer
    private let context: OpaquePointer
    private let limitHits = Atomic<Int>(0)
    private let reported = Atomic<Bool>(false)

    /// About a millisecond of work for a pathological pattern on this class of machine; a sane
    /// pattern against a reason of a few KB uses a small fraction of it.
    public static let matchLimit: UInt32 = 200_000
    public static let depthLimit: UInt32 = 10_000
    public static let heapLimitKiB: UInt32 = 8 * 1024

    public struct Origin: Sendable, Equatable {
        public var path: String
        public var line: Int
        public var column: Int
        public init(path: String = "", line: Int = 1, column: Int = 1) {
            self.path = path
            self.line = line
            self.column = column
        }
    }

    /// Why a pattern does not compile, with PCRE2's own explanation and where in the pattern.
    public struct SyntaxError: Error, Sendable, CustomStringConvertible {
        public var message: String
        /// 0-based, in UTF-8 code units of the pattern.
        public var offset: Int
        public var description: String { "\(message) (at offset \(offset))" }
    }

    public enum Outcome: Sendable, Equatable {
        case match, noMatch
        /// The match stopped at a limit: treated as no match.
        case limitExceeded
    }

    public init(_ pattern: String, origin: Origin = Origin()) throws(SyntaxError) {
        self.pattern = pattern
        self.origin = origin
        var errorCode: Int32 = 0
        var errorOffset = 0
        let compiled: OpaquePointer? = pattern.utf8CString.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: UInt8.self) { bytes in
                pcre2_compile_8(bytes.baseAddress, buffer.count - 1, UInt32(PCRE2_UTF | PCRE2_UCP), &errorCode, &errorOffset, nil)
            }
        }
        guard let compiled else { throw SyntaxError(message: Self.message(for: errorCode), offset: errorOffset) }
        guard let context = pcre2_match_context_create_8(nil) else {
            pcre2_code_free_8(compiled)
            throw SyntaxError(message: "out of memory", offset: 0)
        }
        pcre2_set_match_limit_8(context, Self.matchLimit)
        pcre2_set_depth_limit_8(context, Self.depthLimit)
        pcre2_set_heap_limit_8(context, Self.heapLimitKiB)
        self.code = compiled
        self.context = context
    }

    deinit {
        pcre2_match_context_free_8(context)
        pcre2_code_free_8(code)
    }

    /// Whether the pattern is found anywhere in `subject` (like `firstMatch`), within the limits.
    public func evaluate(_ subject: String) -> Outcome {
        guard let data = pcre2_match_data_create_from_pattern_8(code, nil) else { return .limitExceeded }
        defer { pcre2_match_data_free_8(data) }
        var subject = subject
        // Swift strings are valid UTF-8, so PCRE2 need not check them again.
        let result = subject.withUTF8 { bytes in
            pcre2_match_8(code, bytes.baseAddress, bytes.count, 0, UInt32(PCRE2_NO_UTF_CHECK), data, context)
        }
        if result >= 0 { return .match }
        if result == PCRE2_ERROR_NOMATCH { return .noMatch }
        limitHits.add(1, ordering: .relaxed)
        return .limitExceeded
    }

    public func matches(_ subject: String) -> Bool { evaluate(subject) == .match }

    /// The limit hits since the last call (for the metric), and whether this is the first report
    /// (the log line is written once per pattern).
    public func takeLimitHits() -> (count: Int, first: Bool) {
        let count = limitHits.exchange(0, ordering: .relaxed)
        guard count > 0 else { return (0, false) }
        return (count, !reported.exchange(true, ordering: .relaxed))
    }

    static func message(for errorCode: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let length = pcre2_get_error_message_8(errorCode, &buffer, buffer.count)
        guard length > 0 else { return "error \(errorCode)" }
        return String(decoding: buffer[..<Int(length)], as: UTF8.self)
    }
}
