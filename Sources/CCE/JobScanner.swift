import Foundation

/// Reads a ShowJob answer in one pass over its bytes and builds the `Job` tree directly, because the
/// Foundation `JSONDecoder` path was about a quarter of jobhook's CPU per poll. It checks the whole
/// document against the JSON grammar but only materialises the fields a `Job` has; everything else is
/// skipped without allocating. Field semantics match `Job.init(from:)`: first duplicate key wins (as
/// Foundation does), numbers and booleans become strings, null/objects/arrays where a string belongs
/// become nil, a string with invalid UTF-8 or a lone surrogate becomes nil. It is stricter than
/// Foundation, which checks values lazily, about grammar inside values (`01`, `"\x"`, raw control
/// characters in strings, trailing commas): those fail the body as malformed JSON. Go's encoder never
/// writes them. It is more tolerant about a key that is not Unicode text (invalid UTF-8, a lone
/// `\ud800`): the key is skipped and the object's other keys are read, where Foundation drops the
/// whole object (and a top-level one fails the body) — found by the `show-job` fuzz target.
struct JobScanner {
    /// The body is not well-formed JSON, or nests deeper than `maxDepth` (`tooDeep`).
    struct Failure: Error {
        var tooDeep = false
    }

    /// The phrase for people: `Failure` never says which byte, the body is not quoted.
    static func describe(_ failure: Failure, in data: Data) -> String {
        if failure.tooDeep { return "JSON nested deeper than \(maxDepth) levels" }
        return Job.looksTruncated(data) ? "truncated JSON" : "malformed JSON"
    }

    /// Same limit as Foundation's decoder, counting the top-level object.
    static let maxDepth = 512

    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    var depth = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// The job, and whether the top object had any of a job's sections (`metadata`, `spec`, `status`, `kind`).
    static func scan(_ data: Data) throws(Failure) -> (job: Job, looksLikeJob: Bool) {
        let result: Result<(job: Job, looksLikeJob: Bool), Failure> = data.withUnsafeBytes { raw in
            var scanner = JobScanner(bytes: raw.bindMemory(to: UInt8.self))
            return Result { () throws(Failure) in try scanner.document() }
        }
        return try result.get()
    }

    private mutating func document() throws(Failure) -> (job: Job, looksLikeJob: Bool) {
        guard try objectStart() else { throw Failure() }
        let result = try jobBody()
        skipWhitespace()
        guard index == bytes.count else { throw Failure() }
        return result
    }

    // MARK: Job sections

    /// After the `{` of a job object: reads its sections up to and including the `}`.
    mutating func jobBody() throws(Failure) -> (job: Job, looksLikeJob: Bool) {
        var job = Job()
        var looksLikeJob = false
        var seen = Seen()
        var first = true
        while let key = try nextKey(&first) {
            if matches(key, "metadata") {
                looksLikeJob = true
                if !seen.first(0) { try skipValue() } else if try objectStart() { try metadata(&job) }
            } else if matches(key, "spec") {
                looksLikeJob = true
                if !seen.first(1) { try skipValue() } else if try objectStart() { try spec(&job) }
            } else if matches(key, "status") {
                looksLikeJob = true
                if !seen.first(2) { try skipValue() } else if try objectStart() { try status(&job) }
            } else {
                if matches(key, "kind") { looksLikeJob = true }
                try skipValue()
            }
        }
        return (job, looksLikeJob)
    }

    private mutating func metadata(_ job: inout Job) throws(Failure) {
        var seen = Seen()
        var first = true
        while let key = try nextKey(&first) {
            if matches(key, "uid"), seen.first(0) {
                job.uid = try lenientString()
            } else if matches(key, "creationTimestamp"), seen.first(1) {
                job.createdAt = try timestamp()
            } else if matches(key, "updateTimestamp"), seen.first(2) {
                job.updatedAt = try timestamp()
            } else {
                try skipValue()
            }
        }
    }

    private mutating func spec(_ job: inout Job) throws(Failure) {
        var seen = Seen()
        var first = true
        var clusterLegacy: String?, resourceIDLegacy: String?, resourceNameLegacy: String?
        var params: [String: String]?, paramsLegacy: [String: String]?
        var subJobs: [Job]?, subJobsLegacy: [Job]?
        while let key = try nextKey(&first) {
            if matches(key, "type"), seen.first(0) {
                job.type = try lenientString()
            } else if matches(key, "clusterUID"), seen.first(1) {
                job.clusterID = try lenientString()
            } else if matches(key, "clusteruid"), seen.first(2) {
                clusterLegacy = try lenientString()
            } else if matches(key, "resourceID"), seen.first(3) {
                job.resourceID = try lenientString()
            } else if matches(key, "resourceid"), seen.first(4) {
                resourceIDLegacy = try lenientString()
            } else if matches(key, "resourceName"), seen.first(5) {
                job.resourceName = try lenientString()
            } else if matches(key, "resourcename"), seen.first(6) {
                resourceNameLegacy = try lenientString()
            } else if matches(key, "ownerJob"), seen.first(7) {
                job.ownerJob = try lenientString()
            } else if matches(key, "extendParam"), seen.first(8) {
                params = try extendParam()
            } else if matches(key, "extendparam"), seen.first(9) {
                paramsLegacy = try extendParam()
            } else if matches(key, "subJobs"), seen.first(10) {
                subJobs = try jobArray()
            } else if matches(key, "subjobs"), seen.first(11) {
                subJobsLegacy = try jobArray()
            } else {
                try skipValue()
            }
        }
        job.clusterID = job.clusterID ?? clusterLegacy
        job.resourceID = job.resourceID ?? resourceIDLegacy
        job.resourceName = job.resourceName ?? resourceNameLegacy
        job.extendParam = params ?? paramsLegacy ?? [:]
        job.subJobs = subJobs ?? subJobsLegacy ?? []
    }

    private mutating func status(_ job: inout Job) throws(Failure) {
        var seen = Seen()
        var first = true
        var legacyPhase: String?
        while let key = try nextKey(&first) {
            if matches(key, "phase"), seen.first(0) {
                job.phase = try lenientString()
            } else if matches(key, "status"), seen.first(1) {
                legacyPhase = try lenientString()
            } else if matches(key, "reason"), seen.first(2) {
                job.reason = try lenientString()
            } else if matches(key, "message"), seen.first(3) {
                job.message = try lenientString()
            } else {
                try skipValue()
            }
        }
        job.phase = job.phase ?? legacyPhase
    }

    /// nil when the value is not an object; scalar values become strings, others are dropped.
    private mutating func extendParam() throws(Failure) -> [String: String]? {
        guard try objectStart() else { return nil }
        var values: [String: String] = [:]
        var dropped: Set<String> = []
        var first = true
        while let key = try nextKey(&first) {
            guard let name = keyString(key), values[name] == nil, !dropped.contains(name) else {
                try skipValue()
                continue
            }
            if let value = try lenientString() { values[name] = value } else { dropped.insert(name) }
        }
        return values
    }

    /// nil when the value is not an array; elements that are not objects are skipped.
    mutating func jobArray() throws(Failure) -> [Job]? {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "[") else {
            try skipValue()
            return nil
        }
        try enter()
        var jobs: [Job] = []
        var first = true
        while try nextElement(&first) {
            if try objectStart() { jobs.append(try jobBody().job) }
        }
        return jobs
    }

    private mutating func timestamp() throws(Failure) -> Date? {
        skipWhitespace()
        // Fast path for plain ASCII; anything else goes through `lenientString`, which turns invalid
        // UTF-8 into nil as Foundation does (GoTimestamp ignores the zone name, so it must not see
        // bytes that were never text: found by the `show-job` fuzz target).
        if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
            let start = index + 1
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\"), bytes[end] >= 0x20, bytes[end] < 0x80 {
                end += 1
            }
            if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
                index = end + 1
                return GoTimestamp.parse(bytes: UnsafeBufferPointer(rebasing: bytes[start..<end]))
            }
        }
        return try lenientString().flatMap(GoTimestamp.parse)
    }

    /// Which of up to 16 field names were met already in one object: Foundation keeps the first duplicate.
    struct Seen {
        private var bits: UInt16 = 0

        /// True the first time `bit` is asked for in this object.
        mutating func first(_ bit: Int) -> Bool {
            let mask: UInt16 = 1 << bit
            defer { bits |= mask }
            return bits & mask == 0
        }
    }
}
