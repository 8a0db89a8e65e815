/// `server.listen` parsed: `host:port`, `[v6]:port`; port 0 asks the OS for a free one (tests).
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public init(parsing text: String) throws(ListenError) {
        let hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw ListenError(address: text, "expected [IPv6]:PORT, e.g. [::1]:9787")
            }
            hostPart = text[text.index(after: text.startIndex)..<close]
            portPart = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else {
                throw ListenError(address: text, "expected HOST:PORT, e.g. 127.0.0.1:9787")
            }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
            if hostPart.contains(":") {
                throw ListenError(address: text, "write an IPv6 address in brackets, e.g. [::1]:9787")
            }
        }
        guard !hostPart.isEmpty else {
            throw ListenError(address: text, "the host is missing (use 127.0.0.1 for this machine only, 0.0.0.0 for every interface)")
        }
        guard let port = Int(portPart), (0...65_535).contains(port) else {
            throw ListenError(address: text, "the port must be a number from 0 to 65535")
        }
        self.init(host: String(hostPart), port: port)
    }

    /// Reachable from this machine only: `localhost`, `127.0.0.0/8`, `::1`.
    public var isLoopback: Bool {
        if host == "localhost" || host == "::1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// Why the API will not start on `server.listen`.
public struct ListenError: Error, Sendable, Hashable, CustomStringConvertible {
    public var address: String
    public var message: String

    public init(address: String, _ message: String) {
        self.address = address
        self.message = message
    }

    public var description: String { "server.listen \(address): \(message)" }
}
