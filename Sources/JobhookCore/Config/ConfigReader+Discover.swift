import CCE
import Yams

extension ConfigReader {
    /// `discover:` (an empty mapping turns discovery on with the defaults).
    mutating func discoverSettings(_ node: Node, _ path: String = "discover") -> DiscoverSettings? {
        let defaults = DiscoverSettings()
        if node.isNull { return defaults }
        let allowed = ["interval", "via", "types", "clusters", "backfill"]
        guard let section = fields(node, path, allowed: allowed) else { return nil }
        var settings = defaults
        if let intervalNode = section["interval"], let interval = duration(intervalNode, section.path("interval")) {
            if interval < .seconds(1) {
                report("\(section.path("interval")): must be at least 1s (each listing is a request to CCE)", at: intervalNode)
            } else {
                settings.interval = interval
            }
        }
        if let viaNode = section["via"], let text = string(viaNode, section.path("via")) {
            if let via = DiscoverSettings.Via(rawValue: String(text.trimmingSpaces)) {
                settings.via = via
            } else {
                let expected = DiscoverSettings.Via.allCases.map(\.rawValue).joined(separator: ", ")
                report("\(section.path("via")): expected one of \(expected) (got '\(text.clipped)')", at: viaNode)
            }
        }
        if let typesNode = section["types"] {
            settings.types = Set(nonEmptyList(typesNode, section.path("types")))
        }
        if let clustersNode = section["clusters"] {
            settings.clusters = Set(nonEmptyList(clustersNode, section.path("clusters")))
        }
        if let backfillNode = section["backfill"] {
            let text = string(backfillNode, section.path("backfill"))
            if let text {
                if let value = DurationText.parse(text, allowZero: true) {
                    settings.backfill = value
                } else {
                    report("\(section.path("backfill")): \(DurationText.expectation) or 0s (got '\(text.clipped)')", at: backfillNode)
                }
            }
        }
        return settings
    }

    /// A list of non-empty strings; an empty entry is reported at its own line.
    private mutating func nonEmptyList(_ node: Node, _ path: String) -> [String] {
        let entries: [(node: Node, path: String)] = if case .sequence(let sequence) = node {
            sequence.enumerated().map { ($0.element, "\(path)[\($0.offset)]") }
        } else {
            [(node, path)]
        }
        var values: [String] = []
        for entry in entries {
            guard let value = string(entry.node, entry.path) else { continue }
            let trimmed = String(value.trimmingSpaces)
            if trimmed.isEmpty {
                report("\(entry.path): expected a non-empty string", at: entry.node)
            } else {
                values.append(trimmed)
            }
        }
        return values
    }
}
