import JobhookCore
import PostgresNIO

/// `PostgresURL` turned into PostgresNIO's configurations, one place for TLS: `require` (and
/// `verify-full`) verify the certificate against the system trust roots — or the CA file
/// `sslrootcert` names — and the host name; `prefer`
/// encrypts when the server offers TLS without verifying (libpq's `prefer`); `disable` is plain TCP.
enum PostgresConnectionSettings {
    static func tlsConfiguration(_ mode: PostgresURL.SSLMode, rootCert: String? = nil) -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        if mode == .prefer { tls.certificateVerification = .none }
        if let rootCert { tls.trustRoots = .file(rootCert) }
        return tls
    }

    static func client(_ url: PostgresURL) throws(StoreError) -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS = switch url.sslMode {
        case .disable: .disable
        case .prefer: .prefer(tlsConfiguration(.prefer))
        case .require, .verifyFull: .require(tlsConfiguration(.require, rootCert: url.sslRootCert))
        }
        var configuration = PostgresClient.Configuration(
            host: url.host, port: url.port, username: url.user, password: url.password, database: url.database, tls: tls)
        configuration.options.connectTimeout = PostgresStore.connectTimeout
        configuration.options.maximumConnections = 8
        return configuration
    }

    static func connection(_ url: PostgresURL) throws(StoreError) -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        do {
            tls = switch url.sslMode {
            case .disable: .disable
            case .prefer: .prefer(try NIOSSLContext(configuration: tlsConfiguration(.prefer)))
            case .require, .verifyFull: .require(try NIOSSLContext(configuration: tlsConfiguration(.require, rootCert: url.sslRootCert)))
            }
        } catch {
            throw StoreError(.io, path: url.description, message: "cannot set up TLS (\(error)); check the system trust roots (ca-certificates)")
        }
        var configuration = PostgresConnection.Configuration(
            host: url.host, port: url.port, username: url.user, password: url.password, database: url.database, tls: tls)
        configuration.options.connectTimeout = .seconds(Int64(PostgresStore.connectTimeout.components.seconds))
        return configuration
    }
}
