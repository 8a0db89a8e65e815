import Foundation
import Yams

/// Turns rules.yaml text into a YAML node tree, bounded and thorough where Yams alone is neither:
///
/// - **Aliases cannot blow up.** Yams shares an anchored node wherever it is aliased, so composing is
///   linear, but everything that walks the tree afterwards (and Yams' own duplicate-key check, which
///   hashes whole keys) pays for every repetition: ~700 bytes of nested aliases cost minutes and
///   gigabytes. The expanded tree is counted with a budget before anyone walks it, and an alias used
///   as a mapping key is refused before Yams hashes it.
/// - **Every duplicate key is reported.** Yams stops at the first; here each duplicate's earlier
///   occurrence is renamed in a private copy of the text (one scalar, so every line and column stays
///   put) and the text composed again, so the user sees them all, beside every other problem.
/// - Nesting is bounded by libyaml itself (1,000 levels).
struct ConfigComposer {
    /// Far above any real config (a few thousand values), far below what hurts.
    static let maxExpandedNodes = 100_000
    /// Duplicate keys reported before giving up on finding more.
    static let maxDuplicates = 100

    struct Result {
        /// nil when the text could not be composed; `problems` says why.
        var root: Node?
        var problems: [ConfigProblem]
        /// Where a renamed duplicate key sits, as (line, column): its mapping entry is to be skipped.
        var skippedKeys: Set<Position>
    }

    struct Position: Hashable {
        var line: Int
        var column: Int
    }

    let file: String

    func compose(_ yaml: String) -> Result {
        let aliasKeys = Self.aliasKeys(in: yaml)
        guard aliasKeys.isEmpty else {
            return Result(root: nil, problems: aliasKeys.map { position, name in
                problem(at: position, "a YAML alias (*\(name)) cannot be a mapping key: keys must be plain strings")
            }, skippedKeys: [])
        }
        var text = Array(yaml.unicodeScalars)
        var problems: [ConfigProblem] = []
        var skipped: Set<Position> = []
        while true {
            do {
                let root = try Yams.compose(yaml: String(String.UnicodeScalarView(text))) ?? Node.mapping(Node.Mapping([]))
                if let crossing = Self.exceedsBudget(root) {
                    problems.append(ConfigProblem(file: file, line: crossing.mark?.line ?? 1, column: crossing.mark?.column ?? 1, message: """
                        the document holds more than \(Self.maxExpandedNodes) values once its YAML aliases (*name) are \
                        expanded; write the repeated parts out, or repeat them less
                        """))
                    return Result(root: nil, problems: problems, skippedKeys: skipped)
                }
                return Result(root: root, problems: problems, skippedKeys: skipped)
            } catch YamlError.duplicatedKeysInMapping(let duplicates, let context) {
                let mark = context.mark
                let name = PrintableText.escape(duplicates.first ?? "").clipped
                problems.append(ConfigProblem(file: file, line: mark.line, column: mark.column, message: """
                    duplicate key '\(name)' in one mapping: it appears again below (only one may stay)
                    """))
                guard problems.count < Self.maxDuplicates,
                      Self.rename(&text, at: mark, with: Unicode.Scalar(0xE000 + UInt32(problems.count))!) else {
                    return Result(root: nil, problems: problems, skippedKeys: skipped)
                }
                skipped.insert(Position(line: mark.line, column: mark.column))
            } catch {
                problems.append(ConfigLoader.syntaxProblem(error, file: file, yaml: yaml))
                return Result(root: nil, problems: problems, skippedKeys: skipped)
            }
        }
    }

    private func problem(at position: Position, _ message: String) -> ConfigProblem {
        ConfigProblem(file: file, line: position.line, column: position.column, message: message)
    }

    /// Replaces the key's first character (after an opening quote) with `scalar`, which no config
    /// key contains: the key no longer equals its duplicate, and no line or column moves.
    static func rename(_ text: inout [Unicode.Scalar], at mark: Mark, with scalar: Unicode.Scalar) -> Bool {
        var line = 1
        var index = 0
        while line < mark.line, index < text.count {
            if text[index] == "\n" { line += 1 }
            index += 1
        }
        index += mark.column - 1
        if index < text.count, text[index] == "\"" || text[index] == "'" { index += 1 }
        guard index < text.count, !"\"'\n:".unicodeScalars.contains(text[index]) else { return false }
        text[index] = scalar
        return true
    }

    /// Counts the tree as walkers see it (aliases expanded) and stops at the budget; the node where
    /// the count ran out, or nil when the whole tree fits.
    static func exceedsBudget(_ root: Node) -> Node? {
        var budget = maxExpandedNodes
        var stack = [root]
        while let node = stack.popLast() {
            budget -= 1
            if budget < 0 { return node }
            switch node {
            case .mapping(let mapping):
                for (key, value) in mapping { stack.append(key); stack.append(value) }
            case .sequence(let sequence):
                stack.append(contentsOf: sequence)
            case .scalar, .alias:
                break
            }
        }
        return nil
    }

    /// Aliases in key position (`*a: x`, `? *a`, `{*a: x}`), found in the text before Yams composes
    /// (and hashes) them. Only aliases of anchors the text declares count, so a `*bold*: text` inside
    /// a template is no false alarm.
    static func aliasKeys(in yaml: String) -> [(Position, String)] {
        guard yaml.contains("&"), yaml.contains("*") else { return [] }
        let anchors = Set(yaml.matches(of: #/&([^\s\[\]{},]+)/#).map { String($0.output.1) })
        guard !anchors.isEmpty else { return [] }
        var found: [(Position, String)] = []
        for (number, line) in yaml.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let followedByColon = line.matches(of: #/(?:^|[\s{,\[])\*([^\s\[\]{},:]+)\s*:(?:\s|$)/#).map(\.output.1)
            let explicitKey = line.matches(of: #/(?:^|[\s{,\[])\?\s+\*([^\s\[\]{},:]+)/#).map(\.output.1)
            for name in followedByColon + explicitKey where anchors.contains(String(name)) {
                // The name starts right after `*`: its 0-based offset is the 1-based column of `*`.
                let column = line.unicodeScalars.distance(from: line.startIndex, to: name.startIndex)
                found.append((Position(line: number + 1, column: column), String(name)))
            }
        }
        return found
    }
}
