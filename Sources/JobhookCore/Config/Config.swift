public import CCE

/// The whole `rules.yaml`, validated: every value here has passed the loader's checks, so later
/// stages never re-validate.
public struct Config: Sendable {
    /// At least one; the single-account form of `cce:` gives one named `default`.
    public var accounts: [CCEAccount]
    public var poll: PollSettings
    public var watch: WatchSettings
    /// nil: no discovery; only the jobs jobhook is told about are watched.
    public var discover: DiscoverSettings?
    /// `intake.smn`: nil when not configured (the route does not exist).
    public var smnIntake: SMNIntakeSettings?
    public var state: StateSettings
    public var server: ServerSettings
    public var receivers: [Receiver]
    /// In file order: every matching rule fires, in this order.
    public var rules: [Rule]
    /// The file it was loaded from (for messages and `jobhook check`).
    public var sourcePath: String
    /// The values `${…}` put into secret positions (set by the loader): `Redactor(config:)` hides them.
    public var expandedSecrets: [String] = []

    public init(
        cce: CCESettings, accounts: [CCEAccount]? = nil, poll: PollSettings = PollSettings(), watch: WatchSettings = WatchSettings(),
        discover: DiscoverSettings? = nil, state: StateSettings = StateSettings(), server: ServerSettings = ServerSettings(),
        receivers: [Receiver] = [], rules: [Rule] = [], sourcePath: String = ""
    ) {
        self.accounts = accounts ?? [CCEAccount(cce: cce)]
        self.poll = poll
        self.watch = watch
        self.discover = discover
        self.state = state
        self.server = server
        self.receivers = receivers
        self.rules = rules
        self.sourcePath = sourcePath
    }

    /// The dispatcher's targets, each hiding this config's secrets in what its outcomes say.
    public var deliveryTargets: [DeliveryTarget] {
        let redactor = Redactor(config: self)
        return receivers.map { receiver in
            var target = receiver.deliveryTarget
            target.redactor = redactor
            return target
        }
    }

    public func receiver(named name: String) -> Receiver? {
        receivers.first { $0.name == name }
    }

    /// The first account's settings: what commands that talk to one account use (`watch`, `jobs`
    /// without `--cce`, `test`), and the whole `cce:` section in the single-account form.
    public var cce: CCESettings {
        get { accounts[0].cce }
        set { accounts[0].cce = newValue }
    }

    public func account(named name: String) -> CCEAccount? {
        accounts.first { $0.name == name }
    }

    /// The account's own `discover:`, else the top-level one.
    public func discover(for account: String) -> DiscoverSettings? {
        self.account(named: account)?.discover ?? discover
    }

    /// The jobs watched from start-up, with their account.
    public var configuredWatches: [(jobID: String, account: String)] {
        // The single form has only `watch.jobs`; with several, only each account's own list.
        if accounts.count == 1 { return watch.jobs.map { ($0, accounts[0].name) } }
        return accounts.flatMap { account in account.watchJobs.map { ($0, account.name) } }
    }
}

public struct PollSettings: Sendable, Hashable {
    /// Between two polls of one job.
    public var interval: Duration
    /// API requests in flight at once.
    public var concurrency: Int
    /// Overall API request rate (requests per second).
    public var maxRPS: Int
    /// A job not finished after this long stops being watched (a `timeout` event).
    public var jobTimeout: Duration

    public init(interval: Duration = .seconds(15), concurrency: Int = 8, maxRPS: Int = 20, jobTimeout: Duration = .seconds(6 * 3600)) {
        self.interval = interval
        self.concurrency = concurrency
        self.maxRPS = maxRPS
        self.jobTimeout = jobTimeout
    }
}

public struct WatchSettings: Sendable, Hashable {
    /// Watched from start-up on.
    public var jobs: [String]
    public init(jobs: [String] = []) { self.jobs = jobs }
}

public struct StateSettings: Sendable, Hashable {
    /// The SQLite file holding watches, last seen phases and the delivery queue (unused when
    /// `postgres` is set: the config allows exactly one of the two).
    public var path: String
    /// `state.postgres`: the shared PostgreSQL store instead of the file.
    public var postgres: PostgresSettings?

    public init(path: String = "./jobhook-state.sqlite", postgres: PostgresSettings? = nil) {
        self.path = path
        self.postgres = postgres
    }

    /// What log lines and messages name as the store: the file, or the URL with its password masked.
    public var displayName: String { postgres.map { "\($0.url)" } ?? path }
}

/// `state.postgres`: the database and how long a replica's claim on work lasts.
public struct PostgresSettings: Sendable, Hashable {
    public var url: PostgresURL
    /// How long a replica's claim on the work lasts without renewal (`LeaseKeeper` renews it every
    /// third of it; another replica takes the work over within 2 × lease of a holder's death).
    public var lease: Duration

    public static let defaultLease: Duration = .seconds(15)
    public static let minimumLease: Duration = .seconds(1)

    public init(url: PostgresURL, lease: Duration = defaultLease) {
        self.url = url
        self.lease = lease
    }
}

public struct ServerSettings: Sendable {
    /// `host:port` of the HTTP API; nil when the file says `listen: ~` (no API at all).
    public var listen: String?
    /// Bearer token for `/v1/*`; the loader requires it when `listen` is not a loopback address.
    public var token: Secret?

    public init(listen: String? = "127.0.0.1:9787", token: Secret? = nil) {
        self.listen = listen
        self.token = token
    }
}
