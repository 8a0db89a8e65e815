import ArgumentParser
import Foundation
import JobhookCore
import JobhookServer

/// `jobhook deliveries`: inspects and re-drives the delivery queue. Opens the state store directly,
/// which is safe while the daemon runs (WAL mode; writes wait out the daemon's brief locks).
struct DeliveriesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deliveries",
        abstract: "List, retry or drop queued notifications.",
        discussion: """
            list (default): one line per delivery, newest first (pending and dead unless --dead or --all).
            retry ID: puts a dead or pending delivery back in the queue, due now, with a fresh round of attempts.
            drop ID: deletes a delivery for good.
            Exit 0 on success; 1 when the id is unknown.
            """
    )

    @Argument(help: "list, retry or drop.")
    var action: String = "list"

    @Argument(help: "The delivery id (retry, drop).")
    var id: String?

    @Flag(help: "Only dead letters.")
    var dead = false

    @Flag(help: "Every delivery, delivered ones included.")
    var all = false

    @Flag(help: "JSON lines instead of a table.")
    var json = false

    @Option(help: "At most this many deliveries.")
    var limit = 200

    @Option(name: .customLong("state"), help: "The state store file (default: state.path from the config).")
    var statePath: String?

    @OptionGroup var config: ConfigOptions

    func validate() throws {
        switch action {
        case "list":
            if id != nil { throw ValidationError("list takes no id") }
        case "retry", "drop":
            if id == nil { throw ValidationError("\(action) needs a delivery id (see `jobhook deliveries list`)") }
        default:
            throw ValidationError("unknown action '\(action)': use list, retry ID or drop ID")
        }
        if limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func run() async throws {
        let store = try openConfiguredStore()
        switch action {
        case "retry":
            let id = id ?? ""
            guard try await store.retry(id, now: Date()) else { return try unknown(id) }
            print("\(id): queued for another round of attempts (the running daemon picks it up at its next queue check)")
        case "drop":
            let id = id ?? ""
            guard try await store.drop(id) else { return try unknown(id) }
            print("\(id): dropped")
        default:
            try await list(store)
        }
    }

    private func openConfiguredStore() throws -> SQLiteStore {
        try openStore(at: statePath ?? config.load().state.path, mustExist: true)
    }

    private func unknown(_ id: String) throws {
        printError("jobhook: no delivery with id \(id) (see `jobhook deliveries list --all`)")
        throw ExitCode(1)
    }

    private func list(_ store: SQLiteStore) async throws {
        var deliveries: [Delivery]
        if dead {
            deliveries = try await store.deliveries(state: .dead, limit: limit)
        } else if all {
            deliveries = try await store.deliveries(state: nil, limit: limit)
        } else {
            deliveries = try await store.deliveries(state: .pending, limit: limit)
                + store.deliveries(state: .dead, limit: limit)
            deliveries.sort { $0.createdAt > $1.createdAt }
            deliveries = Array(deliveries.prefix(limit))
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            for delivery in deliveries {
                print(String(decoding: try encoder.encode(DeliveryBody(delivery)), as: UTF8.self))
            }
            return
        }
        if deliveries.isEmpty {
            print(dead ? "no dead deliveries" : "no deliveries")
            return
        }
        print(Self.table(deliveries))
    }

    /// Ids are printed whole (they are what `retry` and `drop` take); other columns are cut to fit.
    static func table(_ deliveries: [Delivery]) -> String {
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
