import Foundation
@testable import JobhookCore
import Testing

/// `state.postgres` in the config, and the URL it holds: parsed once, its password never shown.
@Suite struct PostgresConfigTests {
    static let base = """
        cce: {region: cn-north-4, project_id: p1, auth: {token: t}}
        receivers: [{name: ops, url: "https://hooks.example.com/x"}]
        rules: [{name: all, match: {}, notify: [ops]}]

        """

    @Test func aPostgresStateIsReadWithItsLeaseAndThePasswordFromTheEnvironment() throws {
        let config = try ConfigFixtures.load(Self.base + """
            state:
              postgres:
                url: postgres://jobhook:${PGPASSWORD}@db.internal:5433/jobhook?sslmode=require
                lease: 20s
            """, environment: ["PGPASSWORD": "s3cr:et"])
        let postgres = try #require(config.state.postgres)
        #expect(postgres.url == PostgresURL(host: "db.internal", port: 5433, user: "jobhook", password: "s3cr:et",
                                            database: "jobhook", sslMode: .require))
        #expect(postgres.lease == .seconds(20))
        #expect(config.state.displayName == "postgres://jobhook:***@db.internal:5433/jobhook?sslmode=require")
        #expect(!Redactor(config: config).text("connecting with s3cr:et").contains("s3cr:et"))
    }

    @Test func withoutAPasswordInTheURLPGPASSWORDIsUsedAsIs() throws {
        let config = try ConfigFixtures.load(Self.base + "state: {postgres: {url: \"postgres://app@db/state\"}}\n",
                                             environment: ["PGPASSWORD": "p@ss/w:rd"])
        #expect(config.state.postgres?.url.password == "p@ss/w:rd")
        #expect(!Redactor(config: config).text("login p@ss/w:rd").contains("p@ss/w:rd"))
        let written = try ConfigFixtures.load(Self.base + "state: {postgres: {url: \"postgres://app:inurl@db/state\"}}\n",
                                              environment: ["PGPASSWORD": "other"])
        #expect(written.state.postgres?.url.password == "inurl")
    }

    @Test func theLeaseDefaultsTo15sAndSQLiteStaysTheDefault() throws {
        let postgres = try ConfigFixtures.load(Self.base + "state: {postgres: {url: \"postgres://u@h/db\"}}\n").state.postgres
        #expect(postgres?.lease == .seconds(15))
        #expect(postgres?.url.sslMode == .prefer)
        let plain = try ConfigFixtures.load(Self.base)
        #expect(plain.state.postgres == nil)
        #expect(plain.state.path == "./jobhook-state.sqlite")
    }

    @Test func bothPathAndPostgresIsAProblemAtItsLine() {
        let problems = ConfigFixtures.problems(Self.base + """
            state:
              path: ./state.sqlite
              postgres: {url: "postgres://u@h/db"}
            """)
        #expect(problems == ["rules.yaml:6:13: state: give exactly one of 'path' (an SQLite file) and 'postgres' (a database), not both"])
    }

    @Test func aBadURLIsReportedWithoutQuotingIt() {
        let problems = ConfigFixtures.problems(Self.base + """
            state:
              postgres: {url: "mysql://root:hunter2@h/db", lease: 0s}
            """)
        #expect(problems.count == 2)
        #expect(problems.allSatisfy { !$0.contains("hunter2") })
        #expect(problems.contains { $0.contains("state.postgres.url: expected a URL like postgres://") })
        #expect(problems.contains { $0.contains("state.postgres.lease: ") })
        let sslmode = ConfigFixtures.problems(Self.base + "state: {postgres: {url: \"postgres://u:pw@h/db?sslmode=verify-ca\"}}\n")
        #expect(sslmode.first?.hasSuffix("state.postgres.url: sslmode must be one of disable, prefer, require, verify-full (got 'verify-ca')") == true)
    }

    @Test func theURLsDescriptionMasksThePassword() throws {
        let url = try PostgresURL.parse("postgresql://app:p%40ss@[::1]:6432/state").get()
        #expect(url.password == "p@ss")
        #expect(url.host == "::1")
        #expect(url.description == "postgres://app:***@[::1]:6432/state")
        #expect(url.masking("FATAL: p@ss was wrong") == "FATAL: *** was wrong")
        var dumped = ""
        dump(PostgresSettings(url: url), to: &dumped)
        #expect(!String(reflecting: url).contains("p@ss") && !dumped.contains("p@ss") && !"\(PostgresSettings(url: url))".contains("p@ss"))
        #expect(try PostgresURL.parse("postgres://app@h/db").get().description == "postgres://app@h:5432/db")
    }

    @Test func aLeaseUnder1sIsAProblemAtItsLine() {
        let problems = ConfigFixtures.problems(Self.base + "state: {postgres: {url: \"postgres://u@h/db\", lease: 500ms}}\n")
        #expect(problems == ["rules.yaml:4:53: state.postgres.lease: at least 1s (the lease is renewed every third of it; 15s is the default)"])
    }

    /// `sslrootcert`, as libpq: a CA file for a managed database's own CA, read when the config loads.
    @Test func sslrootcertNamesACAFileReadWhenTheConfigLoads() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pg-ca-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let ca = dir.appendingPathComponent("ca.pem").path
        let key = dir.appendingPathComponent("ca.key").path
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", ca, "-subj", "/CN=rds-ca", "-days", "1"]
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        let url = "postgres://u@db.example.com/state?sslmode=verify-full&sslrootcert=\(ca)"
        let config = try ConfigFixtures.load(Self.base + "state: {postgres: {url: \"\(url)\"}}\n")
        #expect(config.state.postgres?.url.sslRootCert == ca)
        #expect(config.state.displayName == "postgres://u@db.example.com:5432/state?sslmode=verify-full&sslrootcert=\(ca)")

        let missing = ConfigFixtures.problems(Self.base + "state: {postgres: {url: \"postgres://u@h/db?sslmode=require&sslrootcert=/nope/ca.pem\"}}\n")
        #expect(missing == ["rules.yaml:4:25: state.postgres.url: sslrootcert /nope/ca.pem: cannot be read (missing, or no permission)"])
        let notPEM = ConfigFixtures.problems(Self.base + "state: {postgres: {url: \"postgres://u@h/db?sslmode=require&sslrootcert=\(key)\"}}\n")
        #expect(notPEM.first?.hasSuffix("sslrootcert \(key): expected PEM certificates (-----BEGIN CERTIFICATE-----)") == true, "\(notPEM)")
        let unverified = ConfigFixtures.problems(Self.base + "state: {postgres: {url: \"postgres://u@h/db?sslrootcert=\(ca)\"}}\n")
        #expect(unverified.first?.hasSuffix("sslrootcert needs sslmode=require or sslmode=verify-full (the certificate is checked only then)") == true,
                "\(unverified)")
    }
}
