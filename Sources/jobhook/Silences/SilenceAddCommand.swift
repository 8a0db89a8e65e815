import ArgumentParser
import CCE
import Foundation
import JobhookCore

/// `jobhook silence add --match KEY=VALUE… --for 2h|--until TIME [--comment TEXT]`.
struct SilenceAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Mute the deliveries of matching events until the silence ends.",
        discussion: """
            Each --match takes a key of a rule's match (type, phase, from, reason, level, cluster_id, \
            resource_name, account): KEY=VALUE for an exact value, KEY=~REGEX for a regular expression. \
            Every matcher must hold. Muted deliveries are kept as silenced: `jobhook deliveries list \
            --silenced`, re-driven with `jobhook deliveries retry ID`. Prints the silence's id.
            """)

    @Option(name: .customLong("match"), help: "KEY=VALUE or KEY=~REGEX; repeat for more.")
    var matches: [String] = []

    @Option(name: .customLong("for"), help: "How long, like 30m or 2h.")
    var duration: String?

    @Option(help: "When it ends instead, as RFC 3339 (2026-12-07T06:00:00Z).")
    var until: String?

    @Option(help: "Why (shown by `silence list`).")
    var comment = ""

    @OptionGroup var store: DeliveryStoreOptions

    func run() async throws {
        let now = Date()
        let silence: Silence
        do {
            silence = try SilenceRequest.make(matchers: matches, duration: duration, until: until, comment: comment,
                                              createdBy: SilenceRequest.localUser(), now: now)
        } catch {
            printError("jobhook: \(error)")
            throw ExitCode(1)
        }
        try await store.open(mustExist: false).addSilence(silence)
        print(silence.id)
    }
}
