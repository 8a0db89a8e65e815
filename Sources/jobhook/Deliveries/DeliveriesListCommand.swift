import ArgumentParser
import Foundation
import JobhookCore
import JobhookServer

/// `jobhook deliveries list` (also `jobhook deliveries` alone).
struct DeliveriesListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "One line per delivery, newest first: pending and dead ones unless --dead, --silenced or --all.")

    @Flag(help: "Only dead letters.")
    var dead = false

    @Flag(help: "Only deliveries a silence muted (re-drive one with `retry ID`).")
    var silenced = false

    @Flag(help: "Every delivery, delivered ones included.")
    var all = false

    @Flag(help: "JSON lines instead of a table.")
    var json = false

    @Option(help: "At most this many deliveries.")
    var limit = 200

    @OptionGroup var store: DeliveryStoreOptions

    func validate() throws {
        if limit < 1 { throw ValidationError("--limit must be at least 1") }
        if [dead, silenced, all].filter({ $0 }).count > 1 { throw ValidationError("give at most one of --dead, --silenced and --all") }
    }

    func run() async throws {
        let deliveries = try await chosen(from: store.open())
        let redactor = store.redactor()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            for delivery in deliveries {
                print(String(decoding: try encoder.encode(DeliveryBody(delivery, redactor: redactor)), as: UTF8.self))
            }
        } else if deliveries.isEmpty {
            print(dead ? "no dead deliveries" : silenced ? "no silenced deliveries" : "no deliveries")
        } else {
            print(DeliveryTable.text(deliveries, redactor: redactor))
        }
    }

    private func chosen(from store: any DeliveryStore) async throws -> [Delivery] {
        if dead { return try await store.deliveries(state: .dead, limit: limit) }
        if silenced { return try await store.deliveries(state: .silenced, limit: limit) }
        if all { return try await store.deliveries(state: nil, limit: limit) }
        let open = try await store.deliveries(state: .pending, limit: limit) + store.deliveries(state: .dead, limit: limit)
        return Array(open.sorted { $0.createdAt > $1.createdAt }.prefix(limit))
    }
}
