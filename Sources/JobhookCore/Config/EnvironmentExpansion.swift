/// `${NAME}` in config strings, replaced at load time. `$${` stands for a literal `${` so that a value
/// may contain the sequence itself (shell snippets, other templating languages).
package enum EnvironmentExpansion {
    package enum Failure: Error, Equatable {
        case missing(String)
        case unterminated
        case badName(String)
    }

    package static func expand(_ text: String, environment: [String: String]) -> Result<String, Failure> {
        guard text.contains("$") else { return .success(text) }
        var out = ""
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            guard c == "$" else {
                out.append(c)
                i = text.index(after: i)
                continue
            }
            let next = text.index(after: i)
            if text[next...].hasPrefix("${") {
                out += "${"
                i = text.index(next, offsetBy: 2)
            } else if text[next...].hasPrefix("{") {
                let nameStart = text.index(after: next)
                guard let close = text[nameStart...].firstIndex(of: "}") else { return .failure(.unterminated) }
                let name = String(text[nameStart..<close])
                guard isName(name) else { return .failure(.badName(name)) }
                guard let value = environment[name] else { return .failure(.missing(name)) }
                out += value
                i = text.index(after: close)
            } else {
                out.append(c)
                i = next
            }
        }
        return .success(out)
    }

    static func isName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic)
        else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }
}
