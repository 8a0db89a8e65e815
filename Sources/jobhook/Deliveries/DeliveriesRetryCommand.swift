import ArgumentParser
import Foundation
import JobhookCore

/// `jobhook deliveries retry ID`.
struct DeliveriesRetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Put a dead or pending delivery back in the queue, due now, with a fresh round of attempts.",
        discussion: "The running daemon picks it up at its next queue check. Exit 0; 1 when the id is unknown or the delivery was delivered already (without --force).")

    @Argument(help: "The delivery id (see `jobhook deliveries list`).")
    var id: String

    @Flag(help: "Also re-send a delivery that was delivered already (the receiver gets it twice).")
    var force = false

    @OptionGroup var store: DeliveryStoreOptions

    func run() async throws {
        switch try await store.open().retry(id, force: force, now: Date()) {
        case .requeued:
            break
        case .unknown:
            throw unknownDelivery(id)
        case .alreadyDelivered:
            printError("jobhook: delivery \(id) was delivered already; add --force to send it again")
            throw ExitCode(1)
        }
        print("\(id): queued for another round of attempts (the running daemon picks it up at its next queue check)")
    }
}
