import CCE
import Yams

/// Walks the composed YAML tree by hand (no Codable) so that every problem keeps the line and
/// column of the node that caused it, and so that all problems are collected, not just the first.
struct ConfigReader {
    let file: String
    let environment: [String: String]
    private(set) var problems: [ConfigProblem] = []
    /// The CCE accounts' names, once read: a rule's `account:` must name one of them.
    var accountNames: [String] = []
    /// Keys `ConfigComposer` renamed because they were duplicates (already reported): skipped, so the
    /// later occurrence is the one read and the renamed one is not reported again as unknown.
    let skippedKeys: Set<ConfigComposer.Position>

    init(file: String, environment: [String: String], skippedKeys: Set<ConfigComposer.Position> = []) {
        self.file = file
        self.environment = environment
        self.skippedKeys = skippedKeys
    }

    mutating func report(_ message: String, at mark: Mark?) {
        problems.append(ConfigProblem(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1, message: message))
    }

    mutating func report(_ message: String, at node: Node) {
        report(message, at: node.mark)
    }

    /// A mapping's entries by key. Unknown keys are reported with the allowed list, because a typo
    /// silently ignored is a notification silently never sent.
    mutating func fields(_ node: Node, _ path: String, allowed: [String]) -> Fields? {
        guard case .mapping(let mapping) = node else {
            report("\(path): expected a mapping, found \(node.kindDescription)", at: node)
            return nil
        }
        var fields = Fields(path: path, node: node)
        for (key, value) in mapping {
            if let mark = key.mark, skippedKeys.contains(ConfigComposer.Position(line: mark.line, column: mark.column)) { continue }
            guard let name = key.scalar?.string else {
                report("\(path): keys must be plain strings", at: key)
                continue
            }
            guard allowed.contains(name) else {
                let place = path.isEmpty ? "at the top level" : "in \(path)"
                report("unknown key '\(name)' \(place) (expected: \(allowed.joined(separator: ", ")))", at: key)
                continue
            }
            fields.values[name] = value
            fields.order.append(name)
        }
        return fields
    }

    mutating func missing(_ key: String, in fields: Fields) {
        let place = fields.path.isEmpty ? "" : " in \(fields.path)"
        report("missing '\(key)'\(place)", at: fields.node)
    }

    /// A string scalar with `${NAME}` expanded. Never quotes the value: it may be a secret.
    mutating func string(_ node: Node, _ path: String) -> String? {
        guard case .scalar(let scalar) = node, !node.isNull else {
            report("\(path): expected a string, found \(node.kindDescription)", at: node)
            return nil
        }
        return expand(scalar.string, at: node, path)
    }

    mutating func expand(_ text: String, at node: Node, _ path: String) -> String? {
        switch EnvironmentExpansion.expand(text, environment: environment) {
        case .success(let value):
            return value
        case .failure(.missing(let name)):
            report("\(path): environment variable \(name) is not set", at: node)
        case .failure(.unterminated):
            report("\(path): unterminated '${' (write '$${' for a literal '${')", at: node)
        case .failure(.badName(let name)):
            let shown = name.count > 40 ? String(name.prefix(40)) + "…" : name
            report("\(path): '${\(shown)}' is not a valid variable name (write '$${' for a literal '${')", at: node)
        }
        return nil
    }

    mutating func requiredString(_ fields: Fields, _ key: String) -> String? {
        guard let node = fields[key] else {
            missing(key, in: fields)
            return nil
        }
        return string(node, fields.path(key))
    }

    mutating func optionalString(_ fields: Fields, _ key: String) -> String? {
        fields[key].flatMap { string($0, fields.path(key)) }
    }

    mutating func duration(_ fields: Fields, _ key: String, default fallback: Duration) -> Duration {
        guard let node = fields[key] else { return fallback }
        return duration(node, fields.path(key)) ?? fallback
    }

    mutating func duration(_ node: Node, _ path: String) -> Duration? {
        guard let text = string(node, path) else { return nil }
        guard let value = DurationText.parse(text) else {
            report("\(path): \(DurationText.expectation) (got '\(text.clipped)')", at: node)
            return nil
        }
        return value
    }

    mutating func positiveInt(_ fields: Fields, _ key: String, default fallback: Int) -> Int {
        guard let node = fields[key] else { return fallback }
        guard let text = string(node, fields.path(key)) else { return fallback }
        guard let value = Int(text.trimmingSpaces), value > 0 else {
            report("\(fields.path(key)): expected a positive whole number (got '\(text.clipped)')", at: node)
            return fallback
        }
        return value
    }

    /// One string or a list of strings (`jobs: abc` and `jobs: [abc, def]` both work).
    mutating func stringList(_ node: Node, _ path: String) -> [String]? {
        if case .sequence(let sequence) = node {
            var out: [String] = []
            for (index, item) in sequence.enumerated() {
                if let value = string(item, "\(path)[\(index)]") { out.append(value) }
            }
            return out
        }
        return string(node, path).map { [$0] }
    }
}

/// The known entries of one mapping, in file order.
struct Fields {
    var path: String
    var node: Node
    var values: [String: Node] = [:]
    var order: [String] = []

    subscript(key: String) -> Node? { values[key] }

    func path(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
}

extension Node {
    var isNull: Bool {
        guard case .scalar(let scalar) = self else { return false }
        return scalar.style == .plain && tagName == .null
    }

    /// The resolved tag (Yams keeps `Tag.name` internal).
    var tagName: Tag.Name { Tag.Name(rawValue: tag.rawValue) }

    var kindDescription: String {
        switch self {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        case .scalar: isNull ? "nothing" : "a scalar"
        }
    }
}

extension String {
    /// Long values are cut in messages so one bad value does not flood the terminal.
    var clipped: String { count > 60 ? String(prefix(60)) + "…" : self }
}
