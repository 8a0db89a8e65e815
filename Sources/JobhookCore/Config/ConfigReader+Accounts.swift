import Yams

extension ConfigReader {
    /// `cce:` as one mapping (the account `default`) or as a list of named accounts, each with the
    /// CCE keys plus its own `discover` and `watch`. Names must be unique: a duplicate is reported
    /// at both places, since either may be the one meant.
    mutating func accounts(_ node: Node?, at root: Node) -> [CCEAccount]? {
        guard let node, case .sequence(let items) = node else {
            return cceSettings(node, at: root).map { [CCEAccount(cce: $0)] }
        }
        guard !items.isEmpty else {
            report("cce: an empty list; give one account (a mapping) or a list of named accounts", at: node)
            return nil
        }
        var accounts: [CCEAccount] = []
        var names: [String: Node] = [:]
        var broken = false
        for (index, item) in items.enumerated() {
            let path = "cce[\(index)]"
            guard let section = fields(item, path, allowed: ["name"] + Self.cceKeys + ["discover", "watch"]) else {
                broken = true
                continue
            }
            let name = requiredString(section, "name")
            if let name, let nameNode = section["name"] {
                if let problem = CCEAccount.problem(name) {
                    report("\(section.path("name")): \(problem) (got '\(name.clipped)')", at: nameNode)
                } else if let first = names[name] {
                    report("\(section.path("name")): account name '\(name)' is ambiguous: also at line \(first.mark?.line ?? 0)", at: nameNode)
                    report("cce: account name '\(name)' is ambiguous: also at line \(nameNode.mark?.line ?? 0)", at: first)
                } else {
                    names[name] = nameNode
                }
            }
            let cce = cceSettings(section)
            let discover = section["discover"].flatMap { discoverSettings($0, section.path("discover")) }
            let watch = section["watch"].map { watchSettings($0, section.path("watch")) } ?? WatchSettings()
            guard let name, let cce else {
                broken = true
                continue
            }
            accounts.append(CCEAccount(name: name, cce: cce, discover: discover, watchJobs: watch.jobs))
        }
        return broken ? nil : accounts
    }
}
