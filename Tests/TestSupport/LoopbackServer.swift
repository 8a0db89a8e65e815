internal import CurlHTTP
internal import Foundation
internal import Synchronization
#if canImport(Glibc)
internal import Glibc
#endif

/// A scriptable HTTP/1.1 server on 127.0.0.1 and an ephemeral port, for tests: a recording webhook
/// receiver, a fake CCE API, a slow or broken peer. Blocking POSIX sockets, one thread per
/// connection, keep-alive with Content-Length framing; chunked request bodies are accepted.
///
///     let server = try LoopbackServer { request in
///         request.path == "/hook" ? .json(#"{"code":0}"#) : .status(404)
///     }
///     defer { server.stop() }
///     ... send to server.url("/hook?token=x") ...
///     #expect(server.requests.count == 1)
public final class LoopbackServer: Sendable {
    public typealias Handler = @Sendable (RecordedRequest) -> Reply

    private struct State {
        var handler: Handler
        var requests: [RecordedRequest] = []
        var connectionsAccepted = 0
        var openSockets: Set<Int32> = []
        var stopped = false
    }

    /// The bound port on 127.0.0.1.
    public let port: Int
    private let listener: Int32
    private let state: Mutex<State>
    private let threads = DispatchGroup()

    /// Starts listening at once; `handler` runs on the connection's thread for every request.
    public init(_ handler: @escaping Handler = { _ in .status(200) }) throws {
        state = Mutex(State(handler: handler))
        (listener, port) = try Self.listen()
        let (listener, threads) = (listener, threads)
        threads.enter()
        // Threads hold the server weakly between steps, so a forgotten `stop()` still ends in deinit.
        let acceptThread = Thread { [weak self] in
            while let server = self, server.acceptOnce() {}
            _ = Glibc.close(listener)
            threads.leave()
        }
        acceptThread.name = "loopback-accept"
        acceptThread.start()
    }

    /// Without waiting: deinit may run on one of the server's own threads.
    deinit {
        signalStop()
    }

    /// `http://127.0.0.1:<port><path>`; `path` may carry a query.
    public func url(_ path: String = "/") -> String {
        "http://127.0.0.1:\(port)\(path.hasPrefix("/") ? path : "/" + path)"
    }

    /// Every request received so far, in arrival order (a snapshot).
    public var requests: [RecordedRequest] { state.withLock { $0.requests } }

    /// TCP connections accepted so far: 1 after several requests means keep-alive worked.
    public var connectionsAccepted: Int { state.withLock { $0.connectionsAccepted } }

    /// Replaces the script for requests that arrive from now on.
    public func setHandler(_ handler: @escaping Handler) {
        state.withLock { $0.handler = handler }
    }

    /// Closes the listener and every connection (waking delayed and hanging replies) and waits
    /// up to five seconds for the server's threads to finish. Idempotent.
    public func stop() {
        signalStop()
        _ = threads.wait(timeout: .now() + 5)
    }

    private func signalStop() {
        let sockets = state.withLock { state -> Set<Int32> in
            state.stopped = true
            return state.openSockets
        }
        for socket in sockets { _ = Glibc.shutdown(socket, Int32(SHUT_RDWR)) }
    }

    private var isStopped: Bool { state.withLock { $0.stopped } }

    // MARK: - Threads

    /// Accepts at most one connection; returns false once the server has stopped.
    private func acceptOnce() -> Bool {
        guard !isStopped else { return false }
        guard waitReadable(listener) else { return true }
        let socket = Glibc.accept(listener, nil, nil)
        guard socket >= 0 else { return true }
        // Not inherited by processes a test starts meanwhile (a daemon, a database server).
        _ = fcntl(socket, F_SETFD, FD_CLOEXEC)
        var one: Int32 = 1
        _ = setsockopt(socket, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let ordinal = state.withLock { state -> Int? in
            guard !state.stopped else { return nil }
            state.openSockets.insert(socket)
            state.connectionsAccepted += 1
            return state.connectionsAccepted - 1
        }
        guard let ordinal else {
            _ = Glibc.close(socket)
            return false
        }
        let threads = threads
        threads.enter()
        let thread = Thread { [weak self] in
            var buffer: [UInt8] = []
            while let server = self, server.serveOnce(socket, connection: ordinal, buffer: &buffer) {}
            self?.state.withLock { _ = $0.openSockets.remove(socket) }
            _ = Glibc.close(socket)
            threads.leave()
        }
        thread.name = "loopback-connection"
        thread.start()
        return true
    }

    /// Answers one buffered request or reads more bytes; returns false when the connection must close.
    private func serveOnce(_ socket: Int32, connection: Int, buffer: inout [UInt8]) -> Bool {
        guard !isStopped else { return false }
        do {
            if let wire = try WireRequest.parse(buffer) {
                buffer.removeFirst(wire.consumed)
                return perform(reply(to: wire, connection: connection), on: socket, method: wire.method) && !wire.wantsClose
            }
        } catch {
            _ = write(Data("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8), to: socket)
            return false
        }
        guard waitReadable(socket) else { return true }
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return false }
        buffer.append(contentsOf: chunk[..<count])
        return true
    }

    private func reply(to wire: WireRequest, connection: Int) -> Reply {
        let (path, query) = Self.split(wire.target)
        let (request, handler) = state.withLock { state -> (RecordedRequest, Handler) in
            let request = RecordedRequest(
                index: state.requests.count, connection: connection, method: wire.method,
                path: path, query: query, headers: wire.headers, body: wire.body
            )
            state.requests.append(request)
            return (request, state.handler)
        }
        return handler(request)
    }

    /// Carries out one reply; returns false when the connection must close afterwards.
    private func perform(_ reply: Reply, on socket: Int32, method: String) -> Bool {
        switch reply {
        case .respond(let status, let headers, let body):
            var head = "HTTP/1.1 \(status) \(Self.reason(status))\r\n"
            for header in headers { head += "\(header.name): \(header.value)\r\n" }
            if !headers.contains(where: { $0.name.lowercased() == "content-length" }) {
                head += "Content-Length: \(body.count)\r\n"
            }
            head += "\r\n"
            return write(Data(head.utf8) + (method == "HEAD" ? Data() : body), to: socket)
        case .delay(let duration, let then):
            let deadline = ContinuousClock.now.advanced(by: duration)
            while ContinuousClock.now < deadline && !isStopped {
                Thread.sleep(forTimeInterval: min(0.02, Self.seconds(deadline - ContinuousClock.now)))
            }
            return !isStopped && perform(then, on: socket, method: method)
        case .truncated(let status, let declaredLength, let body):
            let head = "HTTP/1.1 \(status) \(Self.reason(status))\r\nContent-Length: \(declaredLength)\r\n\r\n"
            _ = write(Data(head.utf8) + body, to: socket)
            return false
        case .unframed(let status, let headers, let body):
            var head = "HTTP/1.1 \(status) \(Self.reason(status))\r\nConnection: close\r\n"
            for header in headers { head += "\(header.name): \(header.value)\r\n" }
            _ = write(Data((head + "\r\n").utf8) + body, to: socket)
            return false
        case .raw(let bytes):
            _ = write(bytes, to: socket)
            return false
        case .hang:
            // Wait for the peer to go away or the server to stop; discard anything it sends.
            var sink = [UInt8](repeating: 0, count: 4096)
            while !isStopped {
                guard waitReadable(socket) else { continue }
                if sink.withUnsafeMutableBytes({ recv(socket, $0.baseAddress, $0.count, 0) }) <= 0 { break }
            }
            return false
        case .close:
            return false
        }
    }

    // MARK: - Sockets

    private static func listen() throws -> (Int32, Int) {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socket >= 0 else { throw LoopbackServerError("socket() failed: errno \(errno)") }
        var one: Int32 = 1
        _ = setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(socket, 512) == 0 else {
            _ = Glibc.close(socket)
            throw LoopbackServerError("bind/listen on 127.0.0.1 failed: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        return (socket, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// Waits up to 50 ms so every loop notices `stop()` promptly.
    private func waitReadable(_ socket: Int32) -> Bool {
        var entry = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 50) > 0
    }

    private func write(_ data: Data, to socket: Int32) -> Bool {
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let sent = send(socket, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if sent <= 0 { return false }
                offset += sent
            }
            return true
        }
    }

    private static func split(_ target: String) -> (String, String?) {
        guard let mark = target.firstIndex(of: "?") else { return (target, nil) }
        return (String(target[..<mark]), String(target[target.index(after: mark)...]))
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return max(0, Double(seconds) + Double(attoseconds) / 1e18)
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}

/// The loopback server could not start.
public struct LoopbackServerError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
