import Foundation
import Hummingbird
public import Logging
import NIOCore

/// The demo's local webhook receiver: answers 200 to every POST and hands each request to
/// `onRequest`, so `jobhook demo` can print notifications as they land.
public struct DemoReceiver: Sendable {
    public struct Notification: Sendable {
        public var path: String
        public var webhookID: String
        public var body: String
    }

    public let port: Int
    private let task: Task<Void, any Error>

    /// `logger` is Hummingbird's: its level decides what the receiver itself logs.
    public static func start(
        logger: Logger, onRequest: @escaping @Sendable (Notification) -> Void
    ) async throws -> DemoReceiver {
        let router = Router()
        router.post("**") { request, _ -> HTTPResponse.Status in
            let buffer = try await request.body.collect(upTo: 1 << 20)
            onRequest(Notification(
                path: request.uri.path, webhookID: request.headers[.init("webhook-id")!] ?? "",
                body: String(buffer: buffer)))
            return .ok
        }
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in portSink.yield(channel.localAddress?.port ?? 0) },
            logger: logger)
        let task = Task { try await app.runService() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            task.cancel()
            throw CancellationError()
        }
        return DemoReceiver(port: port, task: task)
    }

    public var url: String { "http://127.0.0.1:\(port)" }

    public func stop() {
        task.cancel()
    }
}
