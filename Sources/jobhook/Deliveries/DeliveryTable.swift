import Foundation
import JobhookCore

/// The `deliveries list` table. Ids are printed whole (they are what `retry` and `drop` take);
/// other columns are cut to fit.
enum DeliveryTable {
    static func text(_ deliveries: [Delivery]) -> String {
        let header = ["ID", "RECEIVER", "RULE", "JOB", "ATTEMPTS", "STATE", "LAST ERROR"]
        let widths = [36, 16, 20, 36, 8, 9, 60]
        let rows = deliveries.map { d in
            [d.id, d.receiver, d.rule, d.jobID, String(d.attempts), d.state.rawValue, oneLine(d.lastError ?? "")]
        }
        let all = [header] + rows
        let columnWidths = header.indices.map { column in
            min(widths[column], all.map { $0[column].count }.max() ?? 0)
        }
        return all.map { row in
            row.enumerated().map { column, cell in
                let text = cut(cell, to: columnWidths[column])
                return column == row.count - 1 ? text : text.padding(toLength: columnWidths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }

    static func cut(_ text: String, to width: Int) -> String {
        text.count <= width ? text : String(text.prefix(max(width - 1, 0))) + "…"
    }

    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
