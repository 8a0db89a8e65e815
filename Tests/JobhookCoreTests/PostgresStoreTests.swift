import CCE
import Foundation
import JobhookCore
import JobhookPostgres
import TestSupport
import Testing

/// What only the PostgreSQL store has: its schema versions, its connection failures, and `state copy`
/// from SQLite. Everything the two stores share runs in the `StoreBackend` tests.
@Suite struct PostgresStoreTests {
    typealias S = StoreSamples

    @Test func aDatabaseWrittenByANewerJobhookIsRefusedNamingTheVersions() async throws {
        try await StoreFixture.with(.postgres) { fixture in
            let database = try #require(fixture.database)
            try await database.server.psql("INSERT INTO jobhook_schema (version, applied_at) VALUES (99, 0)", database: database.name)
            let error = try await #require(throws: StoreError.self) { try await fixture.reopen() }
            #expect(error.kind == .newerVersion)
            #expect(error.description == """
                state store \(database.url): written by a newer jobhook (schema v99 is unknown to this build, which knows \
                up to v3); upgrade jobhook or point state.postgres.url elsewhere
                """)
        }
    }

    @Test func replicasStartingTogetherMigrateOnce() async throws {
        try await StoreFixture.with(.postgres) { fixture in
            let url = try #require(fixture.database?.url)
            let stores = try await withThrowingTaskGroup(of: PostgresStore.self) { group in
                for _ in 0..<4 { group.addTask { try await PostgresStore.open(url) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(stores.count == 4)
            for store in stores {
                #expect(try await store.addWatch("job-\(ObjectIdentifier(store).hashValue)", source: "api", at: S.t0))
                await store.close()
            }
            #expect(try await fixture.store.watches().count == 4)
        }
    }

    @Test func anUnreachableServerIsNamedAndThePasswordIsNot() async throws {
        let refusing = try RefusingPort()
        let url = try PostgresURL.parse("postgres://jobhook:planted-pw@127.0.0.1:\(refusing.port)/jobhook?sslmode=disable").get()
        let error = try await #require(throws: StoreError.self) { try await PostgresStore.open(url) }
        #expect(error.kind == .unreachable)
        #expect(error.description.contains("cannot reach PostgreSQL at 127.0.0.1:\(refusing.port)"))
        #expect(error.description.hasPrefix("state store postgres://jobhook:***@127.0.0.1:\(refusing.port)/jobhook?sslmode=disable: "))
        #expect(!error.description.contains("planted-pw"))
    }

    @Test func aPasswordIsUsedAndAWrongOneIsRefusedWithoutBeingShown() async throws {
        let server = try await PostgresServer.shared()
        let user = PostgresServer.passwordUser
        let database = try await server.createPasswordDatabase(password: "right:p@ss/w0rd")
        let right = try PostgresURL.parse("postgres://\(user):right%3Ap%40ss%2Fw0rd@127.0.0.1:\(server.port)/\(database)?sslmode=disable").get()
        #expect(right.password == "right:p@ss/w0rd")
        let store = try await PostgresStore.open(right)
        #expect(try await store.addWatch("job-1", source: "api", at: S.t0))
        await store.close()

        let wrong = try PostgresURL.parse("postgres://\(user):planted-wrong-pw@127.0.0.1:\(server.port)/\(database)?sslmode=disable").get()
        let error = try await #require(throws: StoreError.self) { try await PostgresStore.open(wrong) }
        #expect(error.kind == .accessDenied)
        #expect(error.description.contains("PostgreSQL at 127.0.0.1:\(server.port) refused user \(user)"), "\(error)")
        #expect(error.description.contains("check the user and password in state.postgres.url"))
        #expect(!error.description.contains("planted-wrong-pw"))

        let none = try PostgresURL.parse("postgres://\(user)@127.0.0.1:\(server.port)/\(database)?sslmode=disable").get()
        let missing = try await #require(throws: StoreError.self) { try await PostgresStore.open(none) }
        #expect(missing.kind == .accessDenied, "\(missing)")
        await server.dropDatabase(database)
    }

    @Test func aMissingDatabaseIsNamedWithHowToCreateIt() async throws {
        let server = try await PostgresServer.shared()
        let url = try PostgresURL.parse(server.url(database: "no_such_db")).get()
        let error = try await #require(throws: StoreError.self) { try await PostgresStore.open(url) }
        #expect(error.description.contains("database no_such_db does not exist on 127.0.0.1:\(server.port); create it"))
    }

    @Test func requiredTLSOnAServerWithoutItIsExplained() async throws {
        let server = try await PostgresServer.shared()
        let url = try PostgresURL.parse("postgres://postgres@127.0.0.1:\(server.port)/postgres?sslmode=require").get()
        let error = try await #require(throws: StoreError.self) { try await PostgresStore.open(url) }
        #expect(error.description.contains("does not offer TLS, and the URL says sslmode=require"), "\(error)")
    }

    // MARK: state copy

    @Test func aCopyOfAnSQLiteStoreHoldsTheSameStateAndRefusesASecondCopy() async throws {
        let sqlite = try await StoreFixture.make(.sqlite, now: { S.t0 })
        defer { Task { await sqlite.cleanUp() } }
        let source = sqlite.store
        _ = try await source.addWatch("job-1", source: "config", at: S.t0)
        _ = try await source.addWatch("job-2", source: "api", account: "prod-sg", at: S.t0 + 1)
        _ = try await source.removeWatch("job-2", at: S.t0 + 2)
        try await source.record(S.poll(deliveries: [S.delivery("e1"), S.delivery("e2", next: S.t0 + 30), S.delivery("e3")]))
        var retried = try #require(try await source.delivery("e2"))
        retried.attempts = 4
        retried.lastError = "HTTP 503"
        retried.nextAttemptAt = S.t0 + 42.123456789
        try await source.update(retried)
        var sent = try #require(try await source.delivery("e3"))
        sent.state = .delivered
        sent.attempts = 1
        sent.finishedAt = S.t0 + 5
        try await source.update(sent)
        let grouped = Delivery(id: "grp_1", receiver: "ops-chat", rule: "failures", jobID: "job-1", uid: "job-1-sub",
                               transition: "Running → Failed", request: S.delivery("x").request, createdAt: S.t0,
                               nextAttemptAt: S.t0 + 3, group: GroupKey(jobID: "job-1", rule: "failures", receiver: "ops-chat"))
        try await source.record(PollRecord(jobID: "job-1", tree: S.tree(), phases: [:], deliveries: [grouped]))
        try await source.recordBaseline(account: "default", silent: ["old": ["old": "Success"]], at: S.t0 + 7)
        let silence = Silence(matchers: [SilenceMatcher(key: "cluster_id", value: "c-1", isRegex: false)], startsAt: S.t0,
                              endsAt: S.t0 + 3600, createdBy: "ann", comment: "upgrade")
        try await source.addSilence(silence)
        try await source.recordIntakeMessage("smn-1", at: S.t0 + 9)
        let contents = try await (source as! SQLiteStore).contents()

        try await StoreFixture.with(.postgres) { fixture in
            let target = try #require(fixture.store as? PostgresStore)
            try await target.importContents(contents)
            #expect(try await target.watches() == source.watches())
            #expect(try await target.knownPhases() == source.knownPhases())
            #expect(try await target.knownJobIDs() == source.knownJobIDs())
            #expect(try await target.deliveries(state: nil, limit: 100) == source.deliveries(state: nil, limit: 100))
            #expect(try await target.delivery("e2")?.nextAttemptAt == source.delivery("e2")?.nextAttemptAt, "times are kept exactly")
            #expect(try await target.openGroups(jobID: "job-1", now: S.t0) == source.openGroups(jobID: "job-1", now: S.t0))
            #expect(try await target.discoveryBaseline(account: "default") == S.t0 + 7)
            #expect(try await target.silences(now: S.t0, includingEnded: true) == [silence])
            #expect(try await target.intakeMessageSeen("smn-1"))
            #expect(try await target.pruneIntakeMessages(before: S.t0 + 9) == 0, "received_at kept")
            // Pending deliveries are due when they were: sent once, by whichever store runs.
            #expect(try await target.dueDeliveries(now: S.t0 + 60, limit: 10, excluding: []).map(\.id)
                    == source.dueDeliveries(now: S.t0 + 60, limit: 10, excluding: []).map(\.id))

            let again = try await #require(throws: StoreError.self) { try await target.importContents(contents) }
            #expect(again.description.contains("is not empty (watches 2, phases 3, discovery baselines 1, deliveries 4, silences 1, intake messages 1)"))
            #expect(try await target.deliveries(state: nil, limit: 100).count == 4, "nothing was added")
        }
    }
}

/// TLS to a server whose certificate a private CA signed (as a managed database's is): trusted
/// through `sslrootcert`, refused against the system roots.
@Suite struct PostgresTLSTests {
    @Test func verifyFullWithSslrootcertConnectsAndWithoutItIsRefused() async throws {
        let server = try await PostgresServer.dedicated(tls: true)
        do {
            let database = try await server.createDatabase()
            let base = "postgres://postgres@127.0.0.1:\(server.port)/\(database)"
            let trusted = try PostgresURL.parse("\(base)?sslmode=verify-full&sslrootcert=\(server.caFile)").get()
            let store = try await PostgresStore.open(trusted)
            #expect(try await store.addWatch("job-tls", source: "api", at: StoreSamples.t0))
            await store.close()

            let systemRoots = try PostgresURL.parse("\(base)?sslmode=require").get()
            let error = try await #require(throws: StoreError.self) { try await PostgresStore.open(systemRoots) }
            #expect(error.kind == .unreachable, "\(error)")
            #expect(error.message.contains("certificate that is not trusted") && error.message.contains("sslrootcert="), "\(error)")
        } catch {
            await server.remove()
            throw error
        }
        await server.remove()
    }
}
