import Foundation
import JobhookCore

/// A plain-text table: columns padded to their widest cell, each cut at its maximum width (the
/// last column is not padded). `deliveries list` and `jobs` print with it.
struct TextTable {
    var header: [String]
    /// Cells wider than this are cut with `…`, per column.
    var maxWidths: [Int]

    func text(_ rows: [[String]]) -> String {
        let all = [header] + rows.map { $0.map(Self.oneLine) }
        let widths = header.indices.map { column in
            min(maxWidths[column], all.map { $0[column].count }.max() ?? 0)
        }
        return all.map { row in
            row.enumerated().map { column, cell in
                let text = Self.cut(cell, to: widths[column])
                return column == row.count - 1 ? text : text.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").trimmingTrailingSpaces
        }.joined(separator: "\n")
    }

    static func cut(_ text: String, to width: Int) -> String {
        text.count <= width ? text : String(text.prefix(max(width - 1, 0))) + "…"
    }

    /// Cells hold outside text (CCE types and names, receivers' errors): control characters are
    /// shown escaped (`PrintableText`), so a cell stays on its line and cannot drive the terminal.
    static func oneLine(_ text: String) -> String {
        PrintableText.escape(text)
    }
}

extension String {
    fileprivate var trimmingTrailingSpaces: String {
        var text = Substring(self)
        while text.last == " " { text = text.dropLast() }
        return String(text)
    }
}
