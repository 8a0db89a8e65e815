/// What a CCE job ID may be. CCE issues UUIDs; jobhook allows some slack (letters, digits, `-`, `_`,
/// `.`) but nothing that could change the meaning of the URL it is put into: ASCII only, at most 128
/// bytes, and not `.` or `..` (a path segment, not a path). The one rule for the CLI, the HTTP API,
/// `watch.jobs` and `CCEClient`, so no entry point accepts a watch another one refuses.
public enum JobID {
    public static let maxLength = 128

    /// Nil when `id` is a usable job ID; otherwise one sentence for a person, naming the ID.
    public static func problem(_ id: String) -> String? {
        problem(id, noun: "job")
    }

    /// The same rule for another ID that becomes a path segment (ListNodes' cluster ID).
    static func problem(_ id: String, noun: String) -> String? {
        if id.isEmpty { return "a CCE \(noun) ID must not be empty" }
        let shown = CCEEndpoint.printable(id)
        if id.utf8.count > maxLength {
            return "\(shown) is not a CCE \(noun) ID: at most \(maxLength) characters (got \(id.utf8.count) bytes)"
        }
        guard id.utf8.allSatisfy(isAllowed) else {
            return "\(shown) is not a CCE \(noun) ID: use only ASCII letters, digits, '-', '_' and '.'"
        }
        guard id.utf8.contains(where: { $0 != UInt8(ascii: ".") }) else {
            return "\(shown) is not a CCE \(noun) ID: '.' and '..' are path segments"
        }
        return nil
    }

    public static func isValid(_ id: String) -> Bool { problem(id) == nil }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."): true
        default: false
        }
    }
}
