internal import Foundation
#if canImport(Glibc)
internal import Glibc
#endif

/// A port on 127.0.0.1 that refuses connections for as long as this object lives: a socket bound to
/// it but never listening. Unlike a stopped server's port, no other test can take it meanwhile.
public final class RefusingPort: Sendable {
    public let port: Int
    private let socket: Int32

    public init() throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socket >= 0 else { throw LoopbackServerError("socket() failed: errno \(errno)") }
        do {
            port = try bindToLoopback(socket)
        } catch {
            _ = close(socket)
            throw error
        }
    }

    /// `http://127.0.0.1:<port><path>`.
    public func url(_ path: String = "/") -> String { "http://127.0.0.1:\(port)\(path)" }

    deinit { _ = close(socket) }
}

/// Binds `socket` to an ephemeral port on 127.0.0.1 and returns the port.
func bindToLoopback(_ socket: Int32) throws -> Int {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw LoopbackServerError("bind on 127.0.0.1 failed: errno \(errno)") }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}
