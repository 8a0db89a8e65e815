/// The JSON grammar for `JobScanner`: structure, strings with every escape, numbers, literals.
/// Values the job does not need are checked and skipped without building anything.
extension JobScanner {
    /// Where an object key's text lies (between its quotes), and whether it has escapes to decode.
    struct Key {
        var start: Int
        var end: Int
        var escaped: Bool
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    /// Consumes `{` and returns true, or skips a value of any other kind and returns false.
    mutating func objectStart() throws(Failure) -> Bool {
        skipWhitespace()
        guard index < bytes.count else { throw Failure() }
        guard bytes[index] == UInt8(ascii: "{") else {
            try skipValue()
            return false
        }
        try enter()
        return true
    }

    /// Consumes the `{` or `[` at `index`, counting nesting so hostile input cannot exhaust the stack.
    mutating func enter() throws(Failure) {
        index += 1
        depth += 1
        guard depth <= JobScanner.maxDepth else { throw Failure(tooDeep: true) }
    }

    /// The next key of the current object with its `:` consumed, or nil after consuming the `}`.
    mutating func nextKey(_ first: inout Bool) throws(Failure) -> Key? {
        skipWhitespace()
        guard index < bytes.count else { throw Failure() }
        if bytes[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            first = false
            return nil
        }
        if first {
            first = false
        } else {
            guard bytes[index] == UInt8(ascii: ",") else { throw Failure() }
            index += 1
            skipWhitespace()
        }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw Failure() }
        let start = index + 1
        let escaped = try skipString()
        let key = Key(start: start, end: index - 1, escaped: escaped)
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw Failure() }
        index += 1
        return key
    }

    /// True when another element of the current array follows, false after consuming the `]`.
    mutating func nextElement(_ first: inout Bool) throws(Failure) -> Bool {
        skipWhitespace()
        guard index < bytes.count else { throw Failure() }
        if bytes[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            first = false
            return false
        }
        if first {
            first = false
        } else {
            guard bytes[index] == UInt8(ascii: ",") else { throw Failure() }
            index += 1
        }
        return true
    }

    func matches(_ key: Key, _ name: StaticString) -> Bool {
        let count = name.utf8CodeUnitCount
        let literal = UnsafeBufferPointer(start: name.utf8Start, count: count)
        if key.escaped {
            return keyString(key)?.utf8.elementsEqual(literal) ?? false
        }
        guard key.end - key.start == count else { return false }
        for offset in 0..<count where bytes[key.start + offset] != literal[offset] { return false }
        return true
    }

    /// The key's text, or nil when it is not valid Unicode.
    func keyString(_ key: Key) -> String? {
        var reader = self
        reader.index = key.start - 1
        return (try? reader.string()) ?? nil
    }

    /// A string, or a number or boolean written as one; nil for null, objects, arrays.
    mutating func lenientString() throws(Failure) -> String? {
        skipWhitespace()
        guard index < bytes.count else { throw Failure() }
        switch bytes[index] {
        case UInt8(ascii: "\""):
            return try string()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = index
            let integral = try number()
            return numberText(start, index, integral: integral)
        case UInt8(ascii: "t"):
            try literal("true")
            return "true"
        case UInt8(ascii: "f"):
            try literal("false")
            return "false"
        default:
            try skipValue()
            return nil
        }
    }

    mutating func skipValue() throws(Failure) {
        skipWhitespace()
        guard index < bytes.count else { throw Failure() }
        var first = true
        switch bytes[index] {
        case UInt8(ascii: "{"):
            try enter()
            while try nextKey(&first) != nil { try skipValue() }
        case UInt8(ascii: "["):
            try enter()
            while try nextElement(&first) { try skipValue() }
        case UInt8(ascii: "\""):
            _ = try skipString()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            _ = try number()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: throw Failure()
        }
    }

    private mutating func literal(_ word: StaticString) throws(Failure) {
        let count = word.utf8CodeUnitCount
        guard bytes.count - index >= count else { throw Failure() }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { throw Failure() }
        index += count
    }

    /// Checks the string at `index` (its opening quote) and moves past it; true when it has escapes.
    private mutating func skipString() throws(Failure) -> Bool {
        index += 1
        var escaped = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return escaped
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
                index += 1
                guard index < bytes.count else { throw Failure() }
                switch bytes[index] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                     UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    index += 1
                case UInt8(ascii: "u"):
                    index += 1
                    _ = try hex4()
                default:
                    throw Failure()
                }
            } else if byte < 0x20 {
                throw Failure()
            } else {
                index += 1
            }
        }
        throw Failure()
    }

    /// The string at `index` (its opening quote), or nil when it is not valid Unicode (invalid UTF-8,
    /// a lone surrogate): Foundation drops such a field too rather than failing the document.
    mutating func string() throws(Failure) -> String? {
        index += 1
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return String(validating: UnsafeBufferPointer(rebasing: bytes[start..<(index - 1)]), as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") { return try escapedString(from: start) }
            if byte < 0x20 { throw Failure() }
            index += 1
        }
        throw Failure()
    }

    private mutating func escapedString(from start: Int) throws(Failure) -> String? {
        var text = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        var valid = true
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "\"") {
                return valid ? String(validating: text, as: UTF8.self) : nil
            }
            if byte < 0x20 { throw Failure() }
            guard byte == UInt8(ascii: "\\") else {
                text.append(byte)
                continue
            }
            guard index < bytes.count else { throw Failure() }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(escape)
            case UInt8(ascii: "b"): text.append(0x08)
            case UInt8(ascii: "f"): text.append(0x0C)
            case UInt8(ascii: "n"): text.append(0x0A)
            case UInt8(ascii: "r"): text.append(0x0D)
            case UInt8(ascii: "t"): text.append(0x09)
            case UInt8(ascii: "u"):
                var value = try hex4()
                if (0xD800...0xDBFF).contains(value) {
                    if bytes.count - index >= 2, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
                        index += 2
                        let low = try hex4()
                        if (0xDC00...0xDFFF).contains(low) {
                            value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            valid = false
                        }
                    } else {
                        valid = false
                    }
                }
                if let scalar = Unicode.Scalar(value), valid {
                    text.append(contentsOf: UTF8.encode(scalar)!)
                } else {
                    valid = false
                }
            default:
                throw Failure()
            }
        }
        throw Failure()
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        guard bytes.count - index >= 4 else { throw Failure() }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw Failure()
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    /// Checks the number at `index` against JSON's grammar and moves past it; true when it has no
    /// fraction or exponent.
    private mutating func number() throws(Failure) -> Bool {
        var integral = true
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw Failure() }
        if bytes[index] == UInt8(ascii: "0") { index += 1 } else { skipDigits() }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            integral = false
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw Failure() }
            skipDigits()
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            integral = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw Failure() }
            skipDigits()
        }
        return integral
    }

    private mutating func skipDigits() {
        while index < bytes.count, isDigit(bytes[index]) { index += 1 }
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    /// The number as Foundation's lenient read gives it: a whole value that fits Int64 in integer
    /// form (`3.0` → `3`), any other finite value as Swift prints a Double, nil when out of range.
    private func numberText(_ start: Int, _ end: Int, integral: Bool) -> String? {
        if integral, let whole = int64(start, end) { return String(whole) }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else { return nil }
        if let whole = Int64(exactly: value) { return String(whole) }
        return String(value)
    }

    private func int64(_ start: Int, _ end: Int) -> Int64? {
        let negative = bytes[start] == UInt8(ascii: "-")
        var value: Int64 = 0
        for position in (negative ? start + 1 : start)..<end {
            let digit = Int64(bytes[position] - UInt8(ascii: "0"))
            let (times, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = negative ? times.subtractingReportingOverflow(digit) : times.addingReportingOverflow(digit)
            guard !overflow, !overflow2 else { return nil }
            value = sum
        }
        return value
    }
}
