import Foundation
import Yams

/// Reads `rules.yaml` into a validated `Config`, or fails with every problem found, each at its
/// `file:line:column`.
public enum ConfigLoader {
    static let topLevelKeys = ["cce", "poll", "watch", "discover", "intake", "state", "server", "receivers", "rules"]

    public static func load(path: String, environment: [String: String]) throws(ConfigError) -> Config {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot read the file (or it is not UTF-8)" : "no such file"
            throw ConfigError(problems: [ConfigProblem(file: path, line: 1, column: 1, message: reason)])
        }
        return try parse(yaml: text, file: path, environment: environment)
    }

    public static func parse(yaml: String, file: String, environment: [String: String]) throws(ConfigError) -> Config {
        let composed = ConfigComposer(file: file).compose(yaml)
        guard let root = composed.root else { throw ConfigError(problems: composed.problems) }
        var reader = ConfigReader(file: file, environment: environment, skippedKeys: composed.skippedKeys)
        let config = reader.config(root)
        let problems = composed.problems + reader.problems
        guard problems.isEmpty, let config else {
            throw ConfigError(problems: problems.sorted { ($0.line, $0.column) < ($1.line, $1.column) })
        }
        var result = config
        result.sourcePath = file
        result.expandedSecrets = Redactor.expandedSecrets(in: root, environment: environment)
        return result
    }

    /// Yams knows where a syntax error is; say it in our format.
    static func syntaxProblem(_ error: any Error, file: String, yaml: String) -> ConfigProblem {
        func at(_ mark: Mark, _ message: String) -> ConfigProblem {
            ConfigProblem(file: file, line: mark.line, column: mark.column, message: message)
        }
        guard let error = error as? YamlError else {
            return ConfigProblem(file: file, line: 1, column: 1, message: "YAML syntax error: \(error)")
        }
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            if problem.hasPrefix("Maximum nesting level") {
                return at(mark, "YAML nested too deeply (libyaml allows 1,000 levels)")
            }
            let detail = context.map { " (\($0.text))" } ?? ""
            return at(mark, "YAML syntax error: \(problem)\(detail)\(flowHint(yaml, mark))")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return at(context.mark, "duplicate key \(keys) in one mapping")
        case .reader(let problem, _, _, _):
            return ConfigProblem(file: file, line: 1, column: 1, message: "cannot read the YAML: \(problem)")
        default:
            return ConfigProblem(file: file, line: 1, column: 1, message: "YAML syntax error: \(error)")
        }
    }

    /// `${X}` and `{{x}}` open a mapping inside `[ ]` or `{ }`: the commonest YAML mistake here.
    static func flowHint(_ yaml: String, _ mark: Mark) -> String {
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
        guard mark.line >= 1, mark.line <= lines.count else { return "" }
        let line = lines[mark.line - 1]
        guard line.contains("${") || line.contains("{{"), line.contains("[") || line.contains("{ ") || line.contains(": {") else { return "" }
        return "; quote values containing ${…} or {{…}} inside [ ] or { }"
    }
}

extension ConfigReader {
    /// The whole document; nil when a section was too broken to build (problems say why).
    mutating func config(_ root: Node) -> Config? {
        guard let top = fields(root, "", allowed: ConfigLoader.topLevelKeys) else { return nil }
        let accounts = accounts(top["cce"], at: root)
        // Names as declared, even when an account is broken: rules are still checked against them.
        let severalAccounts: Bool
        if let cce = top["cce"], case .sequence(let items) = cce {
            accountNames = Self.declaredNames(cce).reduce(into: []) { names, name in if !names.contains(name) { names.append(name) } }
            severalAccounts = items.count > 1
        } else {
            accountNames = [CCEAccount.defaultName]
            severalAccounts = false
        }
        let poll = top["poll"].map { pollSettings($0) } ?? PollSettings()
        let watch = top["watch"].map { watchSettings($0) } ?? WatchSettings()
        let discover = top["discover"].flatMap { discoverSettings($0) }
        let state = top["state"].map { stateSettings($0) } ?? StateSettings()
        let server = top["server"].map { serverSettings($0) } ?? ServerSettings()
        let intake = top["intake"].flatMap { intakeSettings($0, server: server) }
        let receivers = top["receivers"].map { receiverList($0) } ?? []
        var known = receivers.map(\.name)
        for name in top["receivers"].map(Self.declaredNames) ?? [] where !known.contains(name) { known.append(name) }
        let rules = top["rules"].map { [known] in ruleList($0, receivers: known) } ?? []
        if severalAccounts, let jobs = top["watch"], !watch.jobs.isEmpty {
            report("watch.jobs: with several CCE accounts, list the jobs in each account's own watch: {jobs: […]}", at: jobs)
        }
        guard let accounts else { return nil }
        var config = Config(cce: accounts[0].cce, accounts: accounts, poll: poll, watch: watch, discover: discover, state: state, server: server,
                            receivers: receivers, rules: rules)
        config.smnIntake = intake
        return config
    }

    /// The `name` of every item of a list of mappings, whatever else is wrong with the items.
    static func declaredNames(_ node: Node) -> [String] {
        guard case .sequence(let items) = node else { return [] }
        return items.compactMap { item in
            guard case .mapping(let mapping) = item else { return nil }
            return mapping.first { $0.key.string == "name" }?.value.string
        }
    }

    /// A list section; anything else is reported.
    mutating func sequence(_ node: Node, _ path: String) -> [Node] {
        if case .sequence(let items) = node { return Array(items) }
        if node.isNull { return [] }
        report("\(path): expected a list, found \(node.kindDescription)", at: node)
        return []
    }

    mutating func template(_ node: Node, _ path: String, escaping: Template.Escaping = .none) -> Template? {
        guard let text = string(node, path) else { return nil }
        return makeTemplate(text, path, at: node, escaping: escaping)
    }

    /// Parses now (a template that does not parse is a load error) and remembers where it is.
    mutating func makeTemplate(_ text: String, _ path: String, at node: Node, escaping: Template.Escaping = .none) -> Template? {
        do {
            var template = try Template(text, escaping: escaping)
            template.line = node.mark?.line
            template.column = node.mark?.column
            return template
        } catch {
            report("\(path): \(error)", at: node)
            return nil
        }
    }
}
