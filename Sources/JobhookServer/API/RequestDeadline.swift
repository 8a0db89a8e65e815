import Hummingbird

/// A bound on reading a request body. Hummingbird's idle timer (`APIServer.idleTimeout`) closes a
/// connection whose body stops, but every body byte counts as activity, so a client trickling one
/// byte every few seconds would hold a handler for as long as it likes.
enum RequestDeadline {
    /// The whole body, or 408 when it has not arrived within `limit`. Cancelling the read ends
    /// the connection's inbound stream: NIO stops reading from the socket, nothing more counts as
    /// activity, and the connection is closed after the answer, by the idle timer at the latest.
    static func body(of request: Request, upTo maxBytes: Int, within limit: Duration) async throws -> ByteBuffer {
        try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask { try await request.body.collect(upTo: maxBytes) }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let buffer = first else {
                throw APIError(
                    .requestTimeout, "the request body did not arrive within \(limit.components.seconds) s",
                    headers: [.connection: "close"]
                )
            }
            return buffer
        }
    }
}
