import ArgumentParser
import Foundation
import JobhookCore

/// `jobhook deliveries retry ID`.
struct DeliveriesRetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Put a dead or pending delivery back in the queue, due now, with a fresh round of attempts.",
        discussion: "The running daemon picks it up at its next queue check. Exit 0; 1 when the id is unknown.")

    @Argument(help: "The delivery id (see `jobhook deliveries list`).")
    var id: String

    @OptionGroup var store: DeliveryStoreOptions

    func run() async throws {
        guard try await store.open().retry(id, now: Date()) else { throw unknownDelivery(id) }
        print("\(id): queued for another round of attempts (the running daemon picks it up at its next queue check)")
    }
}
