internal import Foundation
#if canImport(Glibc)
internal import Glibc
#endif

/// A port on 127.0.0.1 whose accept queue is full and never drained, so a new TCP connect stalls
/// until the client's connect timeout: a peer that exists but never answers the handshake.
public final class StalledListener: Sendable {
    public let port: Int
    private let sockets: [Int32]

    public init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard listener >= 0, let bound = try? bindToLoopback(listener), listen(listener, 0) == 0 else {
            _ = close(listener)
            throw LoopbackServerError("could not open a stalled listener: errno \(errno)")
        }
        port = bound
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(bound).bigEndian
        // Fill the backlog with non-blocking connects nobody accepts; later SYNs are dropped.
        var fillers: [Int32] = []
        for _ in 0..<4 {
            let filler = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(filler, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            fillers.append(filler)
        }
        sockets = [listener] + fillers
    }

    /// `http://127.0.0.1:<port><path>`.
    public func url(_ path: String = "/") -> String { "http://127.0.0.1:\(port)\(path)" }

    deinit {
        for socket in sockets { _ = close(socket) }
    }
}
