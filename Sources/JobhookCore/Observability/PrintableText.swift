/// Makes outside text (CCE `type`/`phase`/`reason`, log messages) safe for a terminal or a text log:
/// control characters (C0, DEL, C1) and Unicode bidi overrides are shown escaped (`\n`, `\u{1B}`),
/// so a hostile string can neither clear the screen, retitle the window, forge lines nor split a log
/// record. JSON output needs none of this: its encoder escapes already.
public enum PrintableText {
    public static func escape(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar) else { out.unicodeScalars.append(scalar); continue }
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            }
        }
        return out
    }

    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return v < 0x20 || (0x7F...0x9F).contains(v) || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)
    }
}
