public import Foundation

/// Reads ShowJob answers tolerantly: every field may be missing or null, unknown fields are ignored,
/// unknown phases stay strings, numbers and booleans where strings belong become strings, and a
/// malformed timestamp becomes nil. Only an answer that is not a JSON object at the top fails, because
/// losing a whole job tree over one odd field would stop notifications for it.
/// Also accepts the lower-case names of the older v2 ListJobs shape (`clusteruid`, `subjobs`, `status.status`).
extension Job: Decodable {
    public init(from decoder: any Decoder) throws {
        let root = try decoder.container(keyedBy: WireKey.self)
        self.init()
        if let metadata = root.object("metadata") {
            uid = metadata.lenientString("uid")
            createdAt = metadata.lenientString("creationTimestamp").flatMap(GoTimestamp.parse)
            updatedAt = metadata.lenientString("updateTimestamp").flatMap(GoTimestamp.parse)
        }
        if let spec = root.object("spec") {
            type = spec.lenientString("type")
            clusterID = spec.lenientString("clusterUID") ?? spec.lenientString("clusteruid")
            resourceID = spec.lenientString("resourceID") ?? spec.lenientString("resourceid")
            resourceName = spec.lenientString("resourceName") ?? spec.lenientString("resourcename")
            ownerJob = spec.lenientString("ownerJob")
            if let params = spec.object("extendParam") ?? spec.object("extendparam") {
                var values: [String: String] = [:]
                for key in params.allKeys {
                    if let value = params.lenientString(key.stringValue) { values[key.stringValue] = value }
                }
                extendParam = values
            }
            subJobs = spec.jobs("subJobs") ?? spec.jobs("subjobs") ?? []
        }
        if let status = root.object("status") {
            phase = status.lenientString("phase") ?? status.lenientString("status")
            reason = status.lenientString("reason")
            message = status.lenientString("message")
        }
    }
}

/// Any JSON object key.
struct WireKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
}

/// One slot of `subJobs`: a non-object element (null, a string) is skipped instead of failing the tree.
private struct SubJobSlot: Decodable {
    var job: Job?
    init(from decoder: any Decoder) {
        job = try? Job(from: decoder)
    }
}

extension KeyedDecodingContainer where K == WireKey {
    /// The nested object at `key`, or nil when it is missing, null or not an object.
    fileprivate func object(_ key: String) -> KeyedDecodingContainer<WireKey>? {
        try? nestedContainer(keyedBy: WireKey.self, forKey: WireKey(key))
    }

    fileprivate func jobs(_ key: String) -> [Job]? {
        guard let slots = try? decodeIfPresent([SubJobSlot].self, forKey: WireKey(key)) else { return nil }
        return slots.compactMap(\.job)
    }

    /// A string, or a number or boolean written as one; nil for missing, null, objects and arrays.
    fileprivate func lenientString(_ name: String) -> String? {
        let key = WireKey(name)
        guard contains(key), (try? decodeNil(forKey: key)) == false else { return nil }
        if let string = try? decode(String.self, forKey: key) { return string }
        if let integer = try? decode(Int64.self, forKey: key) { return String(integer) }
        if let number = try? decode(Double.self, forKey: key) { return String(number) }
        if let flag = try? decode(Bool.self, forKey: key) { return flag ? "true" : "false" }
        return nil
    }
}

extension Job {
    /// Decodes one ShowJob answer, classifying failures for people without quoting the body
    /// (it may be a login page or a proxy's error page). Runs on every poll, so it reads the bytes in
    /// one pass with `JobScanner` instead of `JSONDecoder`; the result equals `init(from:)`'s.
    public static func decode(_ data: Data) throws(JobDecodingError) -> Job {
        try rejectNonObject(data)
        let document: (job: Job, looksLikeJob: Bool)
        do {
            document = try JobScanner.scan(data)
        } catch {
            throw JobDecodingError(JobScanner.describe(error, in: data))
        }
        guard document.looksLikeJob else { throw JobDecodingError("a JSON object without metadata, spec or status") }
        return document.job
    }

    /// The body's first non-blank byte must open an object.
    private static func rejectNonObject(_ data: Data) throws(JobDecodingError) {
        let start = data.first { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }
        switch start {
        case nil: throw JobDecodingError("empty body")
        case UInt8(ascii: "<"): throw JobDecodingError("HTML page, not JSON")
        case UInt8(ascii: "{"): break
        case UInt8(ascii: "["): throw JobDecodingError("a JSON array, not a job object")
        case let byte? where Array(#""-0123456789tfn"#.utf8).contains(byte):
            throw JobDecodingError("a single JSON value, not a job object")
        default: throw JobDecodingError("not JSON")
        }
    }

    /// `decode` through Foundation's `JSONDecoder`, the path before `JobScanner`: kept as the reference
    /// the scanner is tested against.
    static func decodeWithFoundation(_ data: Data) throws(JobDecodingError) -> Job {
        try rejectNonObject(data)
        do {
            let document = try JSONDecoder().decode(JobDocument.self, from: data)
            guard document.looksLikeJob else { throw JobDecodingError("a JSON object without metadata, spec or status") }
            return document.job
        } catch let error as JobDecodingError {
            throw error
        } catch let error as DecodingError {
            switch error {
            case .dataCorrupted(let context) where context.codingPath.isEmpty:
                throw JobDecodingError(looksTruncated(data) ? "truncated JSON" : "malformed JSON")
            default:
                throw JobDecodingError("not a job object")
            }
        } catch {
            throw JobDecodingError("malformed JSON")
        }
    }

    /// A body that parses until it simply stops (unbalanced braces, unterminated string).
    static func looksTruncated(_ data: Data) -> Bool {
        var depth = 0
        var inString = false
        var escaped = false
        for byte in data {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true }
                else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
            default: break
            }
        }
        return inString || depth > 0
    }
}

/// The top level of a ShowJob answer: a job, and whether it has any of a job's sections (an object
/// like `{"error_code": …}` with a 200 is not a job, even though every job field is optional).
private struct JobDocument: Decodable {
    var job: Job
    var looksLikeJob: Bool

    init(from decoder: any Decoder) throws {
        let root = try decoder.container(keyedBy: WireKey.self)
        looksLikeJob = ["metadata", "spec", "status", "kind"].contains { root.contains(WireKey($0)) }
        job = try Job(from: decoder)
    }
}

/// Why a body is not a job document (or a listing): a short phrase with no excerpt of the body.
public struct JobDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
