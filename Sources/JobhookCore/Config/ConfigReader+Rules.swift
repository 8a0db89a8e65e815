import Foundation
import Yams

/// `rules:` and their matchers.
extension ConfigReader {
    /// - Parameter receivers: every receiver name the file declares, valid or not, so a receiver with
    ///   its own problem is not reported a second time as "unknown" by each rule naming it.
    mutating func ruleList(_ node: Node, receivers known: [String]) -> [Rule] {
        var rules: [Rule] = []
        var seen: [String: Int] = [:]
        for (index, item) in sequence(node, "rules").enumerated() {
            guard let rule = rule(item, index: index, receivers: known) else { continue }
            if let line = seen[rule.name] {
                report("duplicate rule name '\(rule.name)' (first defined at line \(line))", at: item)
                continue
            }
            seen[rule.name] = item.mark?.line ?? 0
            rules.append(rule)
        }
        return rules
    }

    mutating func rule(_ node: Node, index: Int, receivers: [String]) -> Rule? {
        guard var r = fields(node, "rules[\(index)]", allowed: ["name", "match", "unless", "notify", "group_wait"]) else { return nil }
        let name = requiredString(r, "name")
        if let name { r.path = "rule '\(name)'" }
        var match: Matcher?
        if let matchNode = r["match"] {
            match = matcher(matchNode, r.path("match"))
        } else {
            missing("match", in: r)
        }
        var unless: Matcher?
        if let unlessNode = r["unless"] {
            unless = matcher(unlessNode, r.path("unless"))
            if case .mapping(let mapping) = unlessNode, mapping.count == 0 {
                report("\(r.path("unless")): an empty unless would drop every event", at: unlessNode)
            }
        }
        var notify: [String]?
        if let notifyNode = r["notify"] {
            notify = stringList(notifyNode, r.path("notify"))
            if notify?.isEmpty == true { report("\(r.path("notify")): name at least one receiver", at: notifyNode) }
            for receiver in notify ?? [] where !receivers.contains(receiver) {
                let list = receivers.isEmpty ? "none are defined" : "known: \(receivers.joined(separator: ", "))"
                report("\(r.path("notify")): unknown receiver '\(receiver.clipped)' (\(list))", at: notifyNode)
            }
        } else {
            missing("notify", in: r)
        }
        let groupWait = r["group_wait"].flatMap { duration($0, r.path("group_wait")) }
        guard let name, let match, let notify else { return nil }
        return Rule(name: name, match: match, unless: unless, notify: notify, groupWait: groupWait)
    }

    mutating func matcher(_ node: Node, _ path: String) -> Matcher? {
        guard let m = fields(node, path, allowed: Matcher.keys) else { return nil }
        var matcher = Matcher()
        matcher.type = m["type"].flatMap { pattern($0, m.path("type")) }
        matcher.phase = m["phase"].flatMap { pattern($0, m.path("phase")) }
        // `from: ~` reads as the empty previous phase: a first sighting.
        matcher.from = m["from"].flatMap { $0.isNull ? .exact([""]) : pattern($0, m.path("from")) }
        matcher.reason = m["reason"].flatMap { pattern($0, m.path("reason"), alwaysRegex: true) }
        matcher.clusterID = m["cluster_id"].flatMap { pattern($0, m.path("cluster_id")) }
        matcher.resourceName = m["resource_name"].flatMap { pattern($0, m.path("resource_name")) }
        if let accountNode = m["account"] {
            matcher.account = pattern(accountNode, m.path("account"))
            if case .exact(let names)? = matcher.account, !accountNames.isEmpty {
                for name in names where !accountNames.contains(name) {
                    report("\(m.path("account")): unknown account '\(name.clipped)' (accounts: \(accountNames.joined(separator: ", ")))", at: accountNode)
                }
            }
        }
        if let levelNode = m["level"], let text = string(levelNode, m.path("level")) {
            if let level = Matcher.Level(rawValue: text) {
                matcher.level = level
            } else {
                report("\(m.path("level")): expected job, subjob or any (got '\(text.clipped)')", at: levelNode)
            }
        }
        return matcher
    }

    /// A string or list (exact, or regexes for `reason`), or `{regex: …}` with one or several.
    mutating func pattern(_ node: Node, _ path: String, alwaysRegex: Bool = false) -> MatchPattern? {
        if case .mapping = node {
            guard let m = fields(node, path, allowed: ["regex"]) else { return nil }
            guard let regexNode = m["regex"] else {
                missing("regex", in: m)
                return nil
            }
            return regexes(regexNode, m.path("regex"))
        }
        if alwaysRegex { return regexes(node, path) }
        return stringList(node, path).map { .exact($0) }
    }

    mutating func regexes(_ node: Node, _ path: String) -> MatchPattern? {
        guard let sources = stringList(node, path) else { return nil }
        var compiled: [BoundedRegex] = []
        let origin = BoundedRegex.Origin(path: path, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
        for source in sources {
            do {
                compiled.append(try BoundedRegex(source, origin: origin))
            } catch {
                report("\(path): invalid regular expression '\(source.clipped)': \(error)", at: node)
            }
        }
        return compiled.count == sources.count ? .regex(compiled) : nil
    }
}
