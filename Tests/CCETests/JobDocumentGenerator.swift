import Foundation

/// Deterministic random numbers, so a failing generated document can be reproduced from its seed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Writes random ShowJob-like JSON: fields omitted or null at random, unknown fields with nested
/// values, legacy v2 names, numbers and booleans where strings belong, escaped and non-ASCII text,
/// duplicate keys, odd sub-job slots and random whitespace.
struct JobDocumentGenerator {
    var rng: SplitMix64
    /// Off for trees whose shape a test counts on (a duplicate `subJobs` key may win with junk).
    var duplicates = true

    init(seed: UInt64) { rng = SplitMix64(state: seed) }

    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }
    mutating func pick(_ options: [String]) -> String { options.randomElement(using: &rng)! }

    mutating func ws() -> String { chance(0.15) ? pick([" ", "\n", "\t", "\r\n  ", "  "]) : "" }

    static let fragments = [
        "abc", "cluster-name", "é", "日本語", "😀", #"\ud83d\ude00"#, #"\n"#, #"\""#, #"\\"#, #"\/"#, #"\u00e9"#,
        #"\u0000"#, #"\t"#, #"\b\f\r"#, #"\u65e5"#, " ", "-", "354331b2c-229a-11e8", #"\uD83D\uDE80"#,
    ]
    static let numbers = [
        "0", "-0", "3", "-17", "3.0", "1.5", "1e2", "2.5E-3", "12345678901234567890", "-9223372036854775808",
        "9223372036854775807", "1e400", "0.1", "-0.0", "1E+2", "1e-400", "2.50",
    ]
    static let timestamps = [
        "2018-08-02 08:12:40.672772389 +0000 UTC", "2018-08-02 03:52:34 +0800 CST", "2024-01-01T00:00:00Z",
        "2024-02-29T12:00:00.5+08:00", "yesterday", "", "2018-13-02 08:12:40 +0000 UTC",
    ]
    static let phases = ["Initializing", "Running", "Success", "Failed", "Paused", "running", ""]

    mutating func text() -> String {
        var out = ""
        for _ in 0..<Int.random(in: 0...4, using: &rng) { out += pick(Self.fragments) }
        if chance(0.02) { out += #"\ud800"# }  // a lone surrogate: the field reads as nil on both paths
        return "\"" + out + "\""
    }

    /// An object key, sometimes with a letter written as a `\u` escape.
    mutating func key(_ name: String) -> String {
        guard chance(0.05), let first = name.unicodeScalars.first else { return "\"" + name + "\"" }
        let hex = String(first.value, radix: 16)
        return "\"\\u" + String(repeating: "0", count: 4 - hex.count) + hex + name.dropFirst() + "\""
    }

    mutating func anyValue(depth: Int = 0) -> String {
        switch Int.random(in: 0..<(depth > 3 ? 5 : 7), using: &rng) {
        case 0: return text()
        case 1: return pick(Self.numbers)
        case 2: return pick(["true", "false"])
        case 3: return "null"
        case 4: return text()
        case 5: return "[" + (0..<Int.random(in: 0...3, using: &rng)).map { _ in ws() + anyValue(depth: depth + 1) }.joined(separator: ",") + "]"
        default:
            return object((0..<Int.random(in: 0...3, using: &rng)).map { _ in (pick(["a", "uid", "phase", "x y", "subJobs"]), anyValue(depth: depth + 1)) })
        }
    }

    /// A value where the job expects a string: mostly a string, sometimes anything.
    mutating func stringish(_ pool: [String]? = nil) -> String {
        if chance(0.75) {
            guard let pool else { return text() }
            return "\"" + pick(pool) + "\""
        }
        return anyValue()
    }

    mutating func object(_ members: [(String, String)]) -> String {
        var members = members
        for _ in 0..<(chance(0.3) ? Int.random(in: 1...3, using: &rng) : 0) {
            members.append((pick(["unknown", "labels", "apiVersion", "kind", "extra"]), anyValue()))
        }
        if duplicates, chance(0.05), let duplicate = members.randomElement(using: &rng) {
            members.append((duplicate.0, anyValue()))
        }
        members.shuffle(using: &rng)
        let body = members.map { ws() + key($0.0) + ws() + ":" + ws() + $0.1 + ws() }.joined(separator: ",")
        return "{" + body + "}"
    }

    /// A section: usually an object of the given optional members, sometimes null or not an object.
    mutating func section(_ members: [(String, String)]) -> String {
        if chance(0.05) { return pick(["null", "\"junk\"", "[]", "42"]) }
        return object(members.filter { _ in chance(0.8) })
    }

    mutating func job(depth: Int, maxDepth: Int, forceChain: Bool = false) -> String {
        var members: [(String, String)] = []
        if chance(0.6) { members.append(("kind", "\"Job\"")) }
        if chance(0.85) {
            members.append(("metadata", section([
                ("uid", stringish()),
                ("creationTimestamp", stringish(Self.timestamps)),
                ("updateTimestamp", stringish(Self.timestamps)),
            ])))
        }
        if chance(0.85) || forceChain {
            var spec: [(String, String)] = [
                ("type", stringish(["CreateCluster", "InstallMaster", "CreateNode"])),
                (chance(0.8) ? "clusterUID" : "clusteruid", stringish()),
                (chance(0.8) ? "resourceID" : "resourceid", stringish()),
                (chance(0.8) ? "resourceName" : "resourcename", stringish()),
                ("ownerJob", stringish()),
                (chance(0.8) ? "extendParam" : "extendparam", extendParam()),
            ]
            if chance(0.1) { spec.append(("clusteruid", stringish())) }
            if chance(0.1) { spec.append(("extendparam", extendParam())) }
            if chance(0.1) { spec.append(("resourcename", stringish())) }
            if depth < maxDepth, chance(0.1) { spec.append(("subjobs", "[" + job(depth: maxDepth, maxDepth: maxDepth) + "]")) }
            if depth < maxDepth {
                var slots = (0..<(forceChain ? 1 : Int.random(in: 0...3, using: &rng))).map { _ in
                    job(depth: depth + 1, maxDepth: maxDepth, forceChain: forceChain)
                }
                if chance(0.1) { slots.insert(pick(["null", "\"junk\"", "7", "[]"]), at: 0) }
                let array = "[" + slots.map { ws() + $0 }.joined(separator: ",") + ws() + "]"
                spec.append((chance(0.85) ? "subJobs" : "subjobs", !forceChain && chance(0.05) ? pick(["null", "{}", "\"x\""]) : array))
            }
            members.append(("spec", forceChain ? object(spec) : section(spec)))
        }
        if chance(0.85) {
            var status = [
                (chance(0.85) ? "phase" : "status", stringish(Self.phases)),
                ("reason", stringish()),
                ("message", stringish()),
            ]
            if chance(0.15) { status.append(("status", stringish(Self.phases))) }
            members.append(("status", section(status)))
        }
        return object(members)
    }

    mutating func extendParam() -> String {
        if chance(0.05) { return pick(["null", "\"s\"", "[1]"]) }
        let names = ["serverID", "count", "on", "gone", "obj", "s", "日本", "a\\\"b"]
        return object((0..<Int.random(in: 0...4, using: &rng)).map { _ in (pick(names), anyValue()) })
    }
}
