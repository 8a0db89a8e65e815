/// A value in the template context: a small JSON-like tree, Sendable and comparable, so a context
/// can be built once, inspected in tests and handed to the Mustache renderer or the JSON encoder.
public enum TemplateValue: Sendable, Hashable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case list([TemplateValue])
    case object([String: TemplateValue])

    /// Follows a dotted path (`job.extend.KEY`).
    public subscript(path path: String) -> TemplateValue? {
        var value: TemplateValue? = self
        for name in path.split(separator: ".") {
            guard case .object(let fields)? = value else { return nil }
            value = fields[String(name)]
        }
        return value
    }

    public var stringValue: String? {
        switch self {
        case .string(let s): s
        case .int(let i): String(i)
        case .bool(let b): String(b)
        case .list, .object: nil
        }
    }

    /// What swift-mustache walks: dictionaries, arrays and plain values. Empty strings are left out
    /// so `{{#job.reason}}…{{/job.reason}}` shows only when there is a reason (swift-mustache
    /// treats any present string as true).
    var mustacheObject: Any? {
        switch self {
        case .string(let s): s.isEmpty ? nil : s
        case .int(let i): i
        case .bool(let b): b
        case .list(let items): items.compactMap(\.mustacheObject)
        case .object(let fields): fields.compactMapValues(\.mustacheObject)
        }
    }
}
