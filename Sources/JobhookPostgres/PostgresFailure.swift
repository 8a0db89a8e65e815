import JobhookCore
import PostgresNIO

/// Turns what PostgresNIO threw into an operator-facing `StoreError`: which server and database,
/// what happened, what to do. The URL is shown with its password masked, and every driver text is
/// passed through `PostgresURL.masking` in case it quotes the password.
enum PostgresFailure {
    static func storeError(_ error: any Error, url: PostgresURL) -> StoreError {
        if let error = error as? StoreError { return error }
        let path = url.description
        guard let error = error as? PSQLError else {
            return StoreError(.io, path: path, message: url.masking("PostgreSQL at \(url.address) failed: \(error)"))
        }
        let sqlState = error.serverInfo?[.sqlState] ?? ""
        let serverMessage = url.masking(error.serverInfo?[.message] ?? "")
        switch error.code {
        case .server:
            return serverError(sqlState: sqlState, message: serverMessage, url: url)
        case .sslUnsupported:
            return StoreError(.unreachable, path: path, message: """
                the server at \(url.address) does not offer TLS, and the URL says sslmode=\(url.sslMode.rawValue); \
                enable ssl on the server, or use sslmode=disable on a private network
                """)
        case .failedToAddSSLHandler:
            return StoreError(.unreachable, path: path, message: url.masking("cannot start TLS with \(url.address) (\(underlying(error)))"))
        case .connectionError where underlying(error).contains("CERTIFICATE_VERIFY_FAILED"):
            let roots = url.sslRootCert.map { "the CA file \($0)" } ?? "the system trust roots"
            return StoreError(.unreachable, path: path, message: """
                the server at \(url.address) presented a certificate that is not trusted by \(roots), or not for                 \(url.host) (CERTIFICATE_VERIFY_FAILED); for a managed database's own CA (Huawei Cloud RDS gives its CA                 for download), add sslrootcert=/path/to/ca.pem to state.postgres.url
                """)
        case .connectionError, .serverClosedConnection, .uncleanShutdown:
            return StoreError(.unreachable, path: path, message: url.masking("""
                cannot reach PostgreSQL at \(url.address) (\(underlying(error))); check that the server runs and that \
                state.postgres.url names its host and port — nothing is lost, the change is tried again
                """))
        case .unsupportedAuthMechanism, .authMechanismRequiresPassword, .saslError:
            return StoreError(.accessDenied, path: path, message: """
                cannot log in to \(url.address) as \(url.user) (\(error.code)); give the password in state.postgres.url \
                (postgres://\(url.user):${PGPASSWORD}@…)
                """)
        default:
            return StoreError(.io, path: path, message: url.masking("PostgreSQL at \(url.address) failed: \(error.code) \(underlying(error))"))
        }
    }

    /// An error the server reported, by SQLSTATE class.
    static func serverError(sqlState: String, message: String, url: PostgresURL) -> StoreError {
        let path = url.description
        let detail = message.isEmpty ? "SQLSTATE \(sqlState)" : "\(message), SQLSTATE \(sqlState)"
        switch sqlState {
        case "28P01", "28000":
            return StoreError(.accessDenied, path: path, message: """
                PostgreSQL at \(url.address) refused user \(url.user) (\(detail)); check the user and password in \
                state.postgres.url (and pg_hba.conf on the server)
                """)
        case "3D000":
            return StoreError(.unwritable, path: path, message: """
                database \(url.database) does not exist on \(url.address); create it (createdb -h \(url.host) -p \(url.port) \
                -U \(url.user) \(url.database)) or fix state.postgres.url
                """)
        case "42501":
            return StoreError(.accessDenied, path: path, message: """
                user \(url.user) lacks a privilege on database \(url.database) (\(detail)); jobhook needs to create and \
                write its tables: GRANT ALL ON SCHEMA public TO \(url.user)
                """)
        case "53100":
            return StoreError(.diskFull, path: path, message: "the database server's disk is full (\(detail)); free some space: nothing was lost, the change is retried")
        case "53300", "57P01", "57P02", "57P03", "08000", "08003", "08006", "08001", "08004":
            return StoreError(.unreachable, path: path, message: """
                PostgreSQL at \(url.address) is not accepting work (\(detail)); nothing is lost, the change is tried again
                """)
        default:
            return StoreError(.io, path: path, message: "PostgreSQL at \(url.address) failed: \(detail)")
        }
    }

    private static func underlying(_ error: PSQLError) -> String {
        guard let underlying = error.underlying else { return "\(error.code)" }
        let text = String(describing: underlying)
        return text.count > 300 ? String(text.prefix(300)) + "…" : text
    }
}
