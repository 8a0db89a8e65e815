import Foundation

/// Listings for `JobScanner`: ListJobs, ListClusters and ListNodes answers read in the same single pass
/// as ShowJob, so a 30 MB listing costs its bytes plus the values kept, never a parsed tree of the whole
/// document. The top level is a bare array or an object with `items` (both are documented); elements
/// that are not objects are skipped, as sub-job slots are.
extension JobScanner {
    /// What a cluster or node listing keeps of each element.
    struct Resource {
        var uid: String?
        var name: String?
        var phase: String?
        var jobID: String?
    }

    /// Reads a listing, each object element with `element`. Failures are phrases for people, like
    /// `Job.decode`'s, and never quote the body.
    static func decodeList<Element>(
        _ data: Data, element: (inout JobScanner) throws(Failure) -> Element
    ) throws(JobDecodingError) -> [Element] {
        try rejectNonListing(data)
        let top: Result<Top<Element>, Failure> = data.withUnsafeBytes { raw in
            var scanner = JobScanner(bytes: raw.bindMemory(to: UInt8.self))
            return Result { () throws(Failure) in try scanner.listDocument(element) }
        }
        switch top {
        case .failure(let failure): throw JobDecodingError(describe(failure, in: data))
        case .success(.items(let items)): return items
        case .success(.noItems(looksLikeList: true)): return []  // `items` omitted as empty (Go's omitempty)
        case .success(.noItems(looksLikeList: false)): throw JobDecodingError("a JSON object without items, kind or apiVersion")
        case .success(.itemsNotArray): throw JobDecodingError("items is not an array")
        }
    }

    /// Reads one object (ShowCluster) with `element`; anything after it but blanks is an error.
    static func decodeObject<Element>(
        _ data: Data, element: (inout JobScanner) throws(Failure) -> Element
    ) throws(JobDecodingError) -> Element {
        try rejectNonListing(data)
        let result: Result<Element, Failure> = data.withUnsafeBytes { raw in
            var scanner = JobScanner(bytes: raw.bindMemory(to: UInt8.self))
            return Result { () throws(Failure) in
                scanner.skipWhitespace()
                guard try scanner.objectStart() else { throw Failure() }
                let value = try element(&scanner)
                scanner.skipWhitespace()
                guard scanner.index == scanner.bytes.count else { throw Failure() }
                return value
            }
        }
        switch result {
        case .failure(let failure): throw JobDecodingError(describe(failure, in: data))
        case .success(let value): return value
        }
    }

    /// A job element, by ShowJob's rules (v3 and V2Job names).
    mutating func listedJob() throws(Failure) -> Job {
        try jobBody().job
    }

    /// A cluster or node element: `metadata.uid`, `metadata.name`, `status.phase` and `status.jobID`
    /// (also `jobId`, as node pools write it, and `jobid`); an empty job ID means none.
    mutating func resource() throws(Failure) -> Resource {
        var resource = Resource()
        var seen = Seen()
        var first = true
        while let key = try nextKey(&first) {
            if matches(key, "metadata"), seen.first(0) {
                guard try objectStart() else { continue }
                var seenInner = Seen()
                var firstInner = true
                while let inner = try nextKey(&firstInner) {
                    if matches(inner, "uid"), seenInner.first(0) {
                        resource.uid = try lenientString()
                    } else if matches(inner, "name"), seenInner.first(1) {
                        resource.name = try lenientString()
                    } else {
                        try skipValue()
                    }
                }
            } else if matches(key, "status"), seen.first(1) {
                guard try objectStart() else { continue }
                var seenInner = Seen()
                var firstInner = true
                var spellings: [String?] = [nil, nil, nil]
                while let inner = try nextKey(&firstInner) {
                    if matches(inner, "phase"), seenInner.first(0) {
                        resource.phase = try lenientString()
                    } else if matches(inner, "jobID"), seenInner.first(1) {
                        spellings[0] = try lenientString()
                    } else if matches(inner, "jobId"), seenInner.first(2) {
                        spellings[1] = try lenientString()
                    } else if matches(inner, "jobid"), seenInner.first(3) {
                        spellings[2] = try lenientString()
                    } else {
                        try skipValue()
                    }
                }
                resource.jobID = spellings.lazy.compactMap { $0 }.first { !$0.isEmpty }
            } else {
                try skipValue()
            }
        }
        return resource
    }

    // MARK: The top level

    private enum Top<Element> {
        case items([Element])
        /// An object without `items`: an empty listing when it has `kind` or `apiVersion`, otherwise not a listing.
        case noItems(looksLikeList: Bool)
        /// `items` is neither an array nor null.
        case itemsNotArray
    }

    private mutating func listDocument<Element>(
        _ element: (inout JobScanner) throws(Failure) -> Element
    ) throws(Failure) -> Top<Element> {
        skipWhitespace()
        guard index < bytes.count else { throw Failure() }
        let top: Top<Element>
        if bytes[index] == UInt8(ascii: "[") {
            top = .items(try elements(element))
        } else {
            guard try objectStart() else { throw Failure() }
            var items: [Element]?
            var itemsNotArray = false
            var looksLikeList = false
            var seen = Seen()
            var first = true
            while let key = try nextKey(&first) {
                if matches(key, "items"), seen.first(0) {
                    skipWhitespace()
                    guard index < bytes.count else { throw Failure() }
                    switch bytes[index] {
                    case UInt8(ascii: "["): items = try elements(element)
                    case UInt8(ascii: "n"): try skipValue(); items = []  // Go writes a nil slice as null
                    default: try skipValue(); itemsNotArray = true
                    }
                } else {
                    if matches(key, "kind") || matches(key, "apiVersion") { looksLikeList = true }
                    try skipValue()
                }
            }
            top = items.map { .items($0) } ?? (itemsNotArray ? .itemsNotArray : .noItems(looksLikeList: looksLikeList))
        }
        skipWhitespace()
        guard index == bytes.count else { throw Failure() }
        return top
    }

    /// After the `[` is seen: every object element read by `element`, other values checked and skipped.
    private mutating func elements<Element>(
        _ element: (inout JobScanner) throws(Failure) -> Element
    ) throws(Failure) -> [Element] {
        try enter()
        var out: [Element] = []
        var first = true
        while try nextElement(&first) {
            if try objectStart() { out.append(try element(&self)) }
        }
        return out
    }

    /// The body's first non-blank byte must open an array or an object.
    private static func rejectNonListing(_ data: Data) throws(JobDecodingError) {
        let start = data.first { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }
        switch start {
        case nil: throw JobDecodingError("empty body")
        case UInt8(ascii: "<"): throw JobDecodingError("HTML page, not JSON")
        case UInt8(ascii: "{"), UInt8(ascii: "["): break
        case let byte? where Array(#""-0123456789tfn"#.utf8).contains(byte):
            throw JobDecodingError("a single JSON value, not a listing")
        default: throw JobDecodingError("not JSON")
        }
    }
}
