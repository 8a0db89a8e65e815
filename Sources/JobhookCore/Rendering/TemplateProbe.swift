import Mustache

/// Renders a template over a context that records every name the template asks for and does not
/// find: swift-mustache keeps its parsed tokens internal, so this is how `jobhook check` learns
/// which names a template uses.
final class TemplateProbe {
    private var misses: [String] = []
    private let top: [String: TemplateValue]

    init(context: TemplateContext) {
        if case .object(let fields) = context.value { top = fields } else { top = [:] }
    }

    /// Names the template used that the context does not have, in first-use order.
    func unknownNames(in template: Template) -> [String] {
        misses = []
        _ = template.render(object: Node(path: "", fields: top, probe: self))
        var seen = Set<String>()
        return misses.filter { seen.insert($0).inserted }
    }

    fileprivate func missed(_ name: String, path: String) {
        if path == "extend" || path.hasSuffix(".extend") {
            return  // extend_param keys differ per job type; any may be absent from the sample
        } else if path.isEmpty {
            misses.append(name)
        } else if top[name] == nil {
            // Inside a section Mustache first asks the section's object, then climbs to the top:
            // only a name the top level lacks as well is unknown.
            misses.append("\(path).\(name)")
        }
    }

    /// Keeps empty strings (unlike rendering) so a present-but-empty field never reads as unknown.
    fileprivate func wrap(_ value: TemplateValue, path: String) -> Any {
        switch value {
        case .string(let s): s
        case .int(let i): i
        case .bool(let b): b
        case .list(let items): items.map { wrap($0, path: path) }
        case .object(let fields): Node(path: path, fields: fields, probe: self)
        }
    }

    private struct Node: MustacheParent {
        let path: String
        let fields: [String: TemplateValue]
        let probe: TemplateProbe

        func child(named name: String) -> Any? {
            guard let value = fields[name] else {
                probe.missed(name, path: path)
                return nil
            }
            return probe.wrap(value, path: path.isEmpty ? name : "\(path).\(name)")
        }
    }
}
