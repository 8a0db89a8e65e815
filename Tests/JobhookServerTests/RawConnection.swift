import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A client on a plain TCP socket to 127.0.0.1, for what curl will not do: send half a request,
/// one byte at a time, and notice when the server hangs up. Blocking socket calls run on a
/// Dispatch thread, never on the cooperative pool the server's handlers need.
final class RawConnection: @unchecked Sendable {
    /// What came back while trickling, and when the server closed the connection, counted from the
    /// connect, as the server's idle timer is (nil: it did not within the time given).
    struct Outcome: Sendable {
        var received: String
        var closedAfter: Duration?
    }

    private let socketFD: Int32
    private let clock = ContinuousClock()
    private let connectedAt: ContinuousClock.Instant

    init(port: Int) throws {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard socketFD >= 0, connected == 0 else {
            _ = close(socketFD)
            throw HarnessError("could not connect to 127.0.0.1:\(port): errno \(errno)")
        }
        self.socketFD = socketFD
        connectedAt = clock.now
    }

    deinit { _ = close(socketFD) }

    /// Sends `head` at once, then `trickle` one byte every `interval` (over and over) until the
    /// server closes the connection or `limit` (from the connect) passes, reading whatever the
    /// server answers.
    func send(_ head: String, thenTrickle trickle: String, every interval: Duration, for limit: Duration) async -> Outcome {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: self.blockingTrickle(head, trickle, interval, limit))
            }
        }
    }

    private func blockingTrickle(_ head: String, _ trickle: String, _ interval: Duration, _ limit: Duration) -> Outcome {
        let start = connectedAt
        var received = Data()
        _ = write(Array(head.utf8))
        let bytes = Array(trickle.utf8)
        var index = 0
        while clock.now - start < limit {
            // Wait for the server for one interval; an answer or a hang-up ends the wait early.
            var poller = pollfd(fd: socketFD, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(interval.components.seconds * 1000 + interval.components.attoseconds / 1_000_000_000_000_000)
            if poll(&poller, 1, milliseconds) > 0 {
                var buffer = [UInt8](repeating: 0, count: 4096)
                let count = recv(socketFD, &buffer, buffer.count, 0)
                if count <= 0 {
                    return Outcome(received: String(decoding: received, as: UTF8.self), closedAfter: clock.now - start)
                }
                received.append(contentsOf: buffer[0..<count])
                continue
            }
            guard !bytes.isEmpty else { continue }
            if !write([bytes[index % bytes.count]]) {
                return Outcome(received: String(decoding: received, as: UTF8.self), closedAfter: clock.now - start)
            }
            index += 1
        }
        return Outcome(received: String(decoding: received, as: UTF8.self), closedAfter: nil)
    }

    private func write(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { Glibc.send(socketFD, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
    }
}
