import ArgumentParser
import Foundation
import JobhookCore
import JobhookServer

/// `jobhook silence list`: active ones first (with who, why and until); `--all` adds ended ones.
struct SilenceListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Active silences, soonest end first.")

    @Flag(help: "Also the ones that ended.")
    var all = false

    @Flag(help: "JSON lines instead of a table.")
    var json = false

    @OptionGroup var store: DeliveryStoreOptions

    func run() async throws {
        let now = Date()
        let silences = try await store.open().silences(now: now, includingEnded: all)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            for silence in silences { print(String(decoding: try encoder.encode(SilenceBody(silence, now: now)), as: UTF8.self)) }
            return
        }
        guard !silences.isEmpty else {
            print(all ? "no silences" : "no active silences")
            return
        }
        let formatter = ISO8601DateFormatter()
        let table = TextTable(header: ["ID", "STATE", "MATCHERS", "UNTIL", "BY", "COMMENT"], maxWidths: [20, 8, 60, 20, 30, 80])
        print(table.text(silences.map { silence in
            [silence.id, SilenceRequest.state(silence, now: now), silence.matchers.map(\.description).joined(separator: " "),
             formatter.string(from: silence.endsAt), silence.createdBy, silence.comment].map(PrintableText.escape)
        }))
    }
}
