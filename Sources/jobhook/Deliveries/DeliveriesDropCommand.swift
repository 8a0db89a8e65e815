import ArgumentParser
import JobhookCore

/// `jobhook deliveries drop ID`.
struct DeliveriesDropCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drop",
        abstract: "Delete a delivery for good.",
        discussion: "Exit 0; 1 when the id is unknown.")

    @Argument(help: "The delivery id (see `jobhook deliveries list`).")
    var id: String

    @OptionGroup var store: DeliveryStoreOptions

    func run() async throws {
        guard try await store.open().drop(id) else { throw unknownDelivery(id) }
        print("\(id): dropped")
    }
}
