/// A receiver's `body:` as written in YAML: string leaves are templates, other leaves keep their
/// YAML type, keys keep their order. Rendered to JSON by `render` — our encoder, so every rendered
/// string is correctly escaped whatever the event contains.
public indirect enum BodyTemplate: Sendable {
    public struct Member: Sendable {
        public var key: String
        public var value: BodyTemplate
        public init(key: String, value: BodyTemplate) {
            self.key = key
            self.value = value
        }
    }

    case object([Member])
    case array([BodyTemplate])
    case string(Template)
    case integer(Int)
    case double(Double)
    case bool(Bool)
    case null

    /// JSON text.
    public func render(_ context: TemplateContext) -> String {
        render(object: context.value.mustacheObject ?? [String: Any]())
    }

    func render(object: Any) -> String {
        switch self {
        case .object(let members):
            return "{" + members.map { JSONText.quote($0.key) + ":" + $0.value.render(object: object) }.joined(separator: ",") + "}"
        case .array(let items):
            return "[" + items.map { $0.render(object: object) }.joined(separator: ",") + "]"
        case .string(let template): return JSONText.quote(template.render(object: object))
        case .integer(let i): return String(i)
        case .double(let d): return d.isFinite ? "\(d)" : "null"
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        }
    }

    /// Every template in the tree, with its path (`variables.CLUSTER_ID`), for `jobhook check`.
    public var templates: [(path: String, template: Template)] {
        switch self {
        case .object(let members):
            members.flatMap { member in member.value.templates.map { (path: $0.path.isEmpty ? member.key : "\(member.key).\($0.path)", template: $0.template) } }
        case .array(let items):
            items.enumerated().flatMap { index, item in item.templates.map { (path: "[\(index)]" + ($0.path.isEmpty ? "" : ".\($0.path)"), template: $0.template) } }
        case .string(let template): [(path: "", template: template)]
        case .integer, .double, .bool, .null: []
        }
    }
}
