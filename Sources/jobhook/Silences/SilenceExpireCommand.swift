import ArgumentParser
import Foundation
import JobhookCore

/// `jobhook silence expire ID`: ends a silence now. What it muted stays silenced (re-drive it with
/// `jobhook deliveries retry`).
struct SilenceExpireCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "expire", abstract: "End a silence now.",
        discussion: "What it muted stays silenced: `jobhook deliveries list --silenced`, then `retry ID`. Exit 1 when the id is unknown or already ended.")

    @Argument(help: "The silence id (see `jobhook silence list`).")
    var id: String

    @OptionGroup var store: DeliveryStoreOptions

    func run() async throws {
        guard try await store.open().expireSilence(id, now: Date()) else {
            printError("jobhook: no active silence with id \(id) (see `jobhook silence list --all`)")
            throw ExitCode(1)
        }
        print("\(id): expired")
    }
}
