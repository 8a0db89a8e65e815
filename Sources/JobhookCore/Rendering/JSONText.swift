/// The JSON we write ourselves: strings escaped per RFC 8259, keys in the order given. Text stays
/// UTF-8 (Chinese text and emoji are not \u-escaped), which every receiver accepts and humans can read.
enum JSONText {
    /// The contents of a JSON string literal, without the quotes.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            // U+2028/2029 are valid JSON but break JavaScript consumers that eval or embed it.
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    static func quote(_ text: String) -> String { "\"" + escape(text) + "\"" }

    /// A context value as JSON; object keys sorted so the same event always gives the same bytes.
    static func encode(_ value: TemplateValue) -> String {
        switch value {
        case .string(let s): return quote(s)
        case .int(let i): return String(i)
        case .bool(let b): return b ? "true" : "false"
        case .list(let items): return "[" + items.map(encode).joined(separator: ",") + "]"
        case .object(let fields):
            return "{" + fields.keys.sorted().map { quote($0) + ":" + encode(fields[$0]!) }.joined(separator: ",") + "}"
        }
    }

    /// An object with keys in the given order.
    static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { quote($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }
}
