/// RFC 8259's grammar and nothing more: no UTF-8 validation inside strings, no surrogate pairing, no
/// number ranges. The scanner is documented to be stricter than Foundation about grammar inside values
/// (`01`, `"\x"`, raw control characters, trailing commas); this says whether a body it rejected but
/// `JSONDecoder` read is such a case. `JSONSerialization` cannot say it: it accepts trailing commas and
/// rejects lone surrogates and `1e400`, which are grammatical.
public enum StrictJSON {
    /// Deeper than this counts as invalid: both decoders stop at 512 levels anyway.
    static let maxDepth = 1024

    public static func isValid(_ bytes: [UInt8]) -> Bool {
        var parser = Parser(bytes: bytes)
        guard parser.value(depth: 0) else { return false }
        parser.whitespace()
        return parser.index == bytes.count
    }

    /// Valid JSON whose object keys all decode to Unicode text (valid UTF-8, no lone surrogate
    /// escapes). Foundation treats an object with such a key as no object at all; the scanner reads
    /// its other keys (documented on `JobScanner`), so the differential only holds when this is true.
    public static func keysAreUnicode(_ bytes: [UInt8]) -> Bool {
        var parser = Parser(bytes: bytes)
        parser.checksKeys = true
        guard parser.value(depth: 0) else { return false }
        return !parser.sawBadKey
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0
        var checksKeys = false
        var sawBadKey = false

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func whitespace() {
            while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
        }

        mutating func literal(_ text: String) -> Bool {
            for byte in text.utf8 {
                guard current == byte else { return false }
                index += 1
            }
            return true
        }

        mutating func value(depth: Int) -> Bool {
            guard depth < StrictJSON.maxDepth else { return false }
            whitespace()
            switch current {
            case UInt8(ascii: "{"): return object(depth: depth)
            case UInt8(ascii: "["): return array(depth: depth)
            case UInt8(ascii: "\""): return string()
            case UInt8(ascii: "t"): return literal("true")
            case UInt8(ascii: "f"): return literal("false")
            case UInt8(ascii: "n"): return literal("null")
            default: return number()
            }
        }

        mutating func object(depth: Int) -> Bool {
            index += 1
            whitespace()
            if current == UInt8(ascii: "}") { index += 1; return true }
            while true {
                whitespace()
                let keyStart = index
                guard current == UInt8(ascii: "\""), string() else { return false }
                if checksKeys, !Self.isUnicode(bytes[(keyStart + 1)..<(index - 1)]) { sawBadKey = true }
                whitespace()
                guard current == UInt8(ascii: ":") else { return false }
                index += 1
                guard value(depth: depth + 1) else { return false }
                whitespace()
                switch current {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "}"): index += 1; return true
                default: return false
                }
            }
        }

        mutating func array(depth: Int) -> Bool {
            index += 1
            whitespace()
            if current == UInt8(ascii: "]") { index += 1; return true }
            while true {
                guard value(depth: depth + 1) else { return false }
                whitespace()
                switch current {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "]"): index += 1; return true
                default: return false
                }
            }
        }

        mutating func string() -> Bool {
            index += 1
            while let byte = current {
                index += 1
                switch byte {
                case UInt8(ascii: "\""): return true
                case UInt8(ascii: "\\"):
                    guard let escaped = current else { return false }
                    index += 1
                    switch escaped {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                         UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        continue
                    case UInt8(ascii: "u"):
                        for _ in 0..<4 {
                            guard let hex = current, isHex(hex) else { return false }
                            index += 1
                        }
                    default: return false
                    }
                case 0x00..<0x20: return false
                default: continue
                }
            }
            return false
        }

        mutating func number() -> Bool {
            if current == UInt8(ascii: "-") { index += 1 }
            guard let first = current, isDigit(first) else { return false }
            index += 1
            if first != UInt8(ascii: "0") { digits() }
            if current == UInt8(ascii: ".") {
                index += 1
                guard let next = current, isDigit(next) else { return false }
                digits()
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                index += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
                guard let next = current, isDigit(next) else { return false }
                digits()
            }
            return true
        }

        mutating func digits() {
            while let byte = current, isDigit(byte) { index += 1 }
        }

        /// The inside of a grammatical string literal, unescaped, is valid Unicode.
        static func isUnicode(_ literal: ArraySlice<UInt8>) -> Bool {
            var units: [UInt16] = []
            var raw: [UInt8] = []
            func flushRaw() -> Bool {
                guard let text = String(validating: raw, as: UTF8.self) else { return false }
                units.append(contentsOf: text.utf16)
                raw.removeAll()
                return true
            }
            var i = literal.startIndex
            while i < literal.endIndex {
                guard literal[i] == UInt8(ascii: "\\") else {
                    raw.append(literal[i])
                    i += 1
                    continue
                }
                guard flushRaw() else { return false }
                let escaped = literal[i + 1]
                if escaped == UInt8(ascii: "u") {
                    units.append(UInt16(String(decoding: literal[(i + 2)..<(i + 6)], as: UTF8.self), radix: 16)!)
                    i += 6
                } else {
                    units.append(UInt16(escaped))  // the character itself stands for its escape here
                    i += 2
                }
            }
            return flushRaw() && String(validating: units, as: UTF16.self) != nil
        }

        func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
        func isHex(_ byte: UInt8) -> Bool { isDigit(byte) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x66) }
    }
}
