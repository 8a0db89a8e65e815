public import Foundation

/// `state.postgres.url`: where the PostgreSQL store lives, parsed once so the config check, the store
/// and `state copy` agree on it. Its `description` masks the password: it is what every message,
/// log line and `StoreError` shows.
public struct PostgresURL: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// How the connection uses TLS, as libpq's `sslmode` (the subset jobhook supports).
    public enum SSLMode: String, Sendable, Hashable, CaseIterable {
        /// Plain TCP (a database on the same host or a private network).
        case disable
        /// TLS when the server offers it, plain otherwise (libpq's default).
        case prefer
        /// TLS always; the certificate is verified against the system trust roots (or `sslrootcert`)
        /// and the host name.
        case require
        /// Same as `require` (jobhook always verifies the certificate and host name).
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var sslMode: SSLMode
    /// `sslrootcert`, as libpq: a PEM file of the CA certificates that sign the server's certificate
    /// (a managed database's own CA, such as Huawei Cloud RDS's), trusted instead of the system roots.
    public var sslRootCert: String?

    public init(host: String, port: Int = 5432, user: String, password: String?, database: String, sslMode: SSLMode = .prefer,
                sslRootCert: String? = nil) {
        self.sslRootCert = sslRootCert
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.sslMode = sslMode
    }

    /// Parses `postgres://user:password@host:port/database?sslmode=…` (or `postgresql://`); the
    /// error says what is wrong without quoting the URL (it may hold the password).
    public static func parse(_ text: String) -> Result<PostgresURL, Problem> {
        guard let components = URLComponents(string: text),
              let scheme = components.scheme?.lowercased(), ["postgres", "postgresql"].contains(scheme) else {
            return .failure(Problem("expected a URL like postgres://USER:PASSWORD@HOST:5432/DATABASE"))
        }
        guard let host = components.host, !host.isEmpty else { return .failure(Problem("the URL names no host")) }
        guard let user = components.user, !user.isEmpty else { return .failure(Problem("the URL names no user (postgres://USER@HOST/DATABASE)")) }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else {
            return .failure(Problem("the URL names no database (postgres://USER@HOST:5432/DATABASE)"))
        }
        var mode = SSLMode.prefer
        var rootCert: String?
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let value = item.value, let parsed = SSLMode(rawValue: value) else {
                    let known = SSLMode.allCases.map(\.rawValue).joined(separator: ", ")
                    return .failure(Problem("sslmode must be one of \(known) (got '\(item.value ?? "")')"))
                }
                mode = parsed
            case "sslrootcert":
                guard let value = item.value, !value.isEmpty else { return .failure(Problem("sslrootcert names no file")) }
                rootCert = value
            default:
                return .failure(Problem("unknown URL parameter '\(item.name)' (expected: sslmode, sslrootcert)"))
            }
        }
        if rootCert != nil, mode == .disable || mode == .prefer {
            return .failure(Problem("sslrootcert needs sslmode=require or sslmode=verify-full (the certificate is checked only then)"))
        }
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else { return .failure(Problem("the port must be between 1 and 65535")) }
        return .success(PostgresURL(host: host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port: port, user: user,
                                    password: components.password.flatMap { $0.isEmpty ? nil : $0 }, database: database, sslMode: mode,
                                    sslRootCert: rootCert))
    }

    /// Why a URL was refused.
    public struct Problem: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    /// `host:port`, for messages.
    public var address: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// The URL with the password replaced by `***`: safe to print and log.
    public var description: String {
        let credentials = password == nil ? user : "\(user):***"
        var parameters = sslMode == .prefer ? [] : ["sslmode=\(sslMode.rawValue)"]
        if let sslRootCert { parameters.append("sslrootcert=\(sslRootCert)") }
        let query = parameters.isEmpty ? "" : "?" + parameters.joined(separator: "&")
        return "postgres://\(credentials)@\(address)/\(database)\(query)"
    }

    /// Masked too: `String(reflecting:)`, `dump` and debuggers must not show the password either.
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["url": description], displayStyle: .struct) }

    /// Removes the password from a message that might quote it (a driver error, say).
    public func masking(_ text: String) -> String {
        guard let password, !password.isEmpty else { return text }
        return text.replacingOccurrences(of: password, with: "***")
    }
}
