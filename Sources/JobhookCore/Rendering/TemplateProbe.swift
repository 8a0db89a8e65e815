import Mustache

/// Renders a template over a context that records every name the template asks for and does not
/// find: swift-mustache keeps its parsed tokens internal, so this is how `jobhook check` learns
/// which names a template uses.
final class TemplateProbe {
    private var misses: [String] = []
    /// The last miss may be the first step of a climb up the section stack.
    fileprivate var climbing = false
    private let top: [String: TemplateValue]

    /// A sub-job's `parent.*` is absent from a job-level sample event; the job's own fields stand
    /// in for it so that templates written for sub-jobs are checked rather than flagged.
    init(context: TemplateContext) {
        var fields: [String: TemplateValue] = [:]
        if case .object(let all) = context.value { fields = all }
        if fields["parent"] == nil { fields["parent"] = fields["job"] }
        top = fields
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
            // Inside a section Mustache asks the section's object first, then climbs to the top:
            // the top's miss stands for both.
            if climbing, let last = misses.last, last.hasSuffix(".\(name)") { misses.removeLast() }
            misses.append(name)
            climbing = false
        } else if top[name] == nil {
            misses.append("\(path).\(name)")
            climbing = true
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
            probe.climbing = false
            return probe.wrap(value, path: path.isEmpty ? name : "\(path).\(name)")
        }
    }
}
