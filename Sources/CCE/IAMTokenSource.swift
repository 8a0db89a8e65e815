public import CurlHTTP
public import Foundation
public import Logging
import Synchronization

/// IAM password login (`POST {iam}/v3/auth/tokens`), the token sent as `X-Auth-Token`. Tokens live
/// 24 h; this renews at 80 % of the lifetime, and once early when the gateway says a token expired
/// (401 `APIG(W).0301`). Concurrent callers share one login. A failed login is retried with backoff
/// and then remembered for a cooldown, so a wrong password cannot turn the poll loop into a login loop.
public actor IAMTokenSource: RequestSigner {
    public enum Scope: Sendable, Hashable {
        /// A project by name; the region's default project is named after the region (`cn-north-4`).
        case projectName(String)
        case projectID(String)
    }

    /// A token younger than this that is refused was not expired: renewing it again would not help.
    static let minimumAgeForRenewal: TimeInterval = 60
    static let maximumCooldown: TimeInterval = 300

    public nonisolated let endpoint: CCEEndpoint
    private let domain: String
    private let user: String
    private let password: Secret
    private let scope: Scope
    private let http: any HTTPClient
    private let timeout: Duration
    private let logger: Logger
    private let now: @Sendable () -> Date
    private let clock: any Clock<Duration>
    private let retryDelays: [Duration]

    private var token: IssuedToken? {
        didSet { fresh.withLock { $0 = token.map { (secret: $0.secret, renewAt: $0.renewAt) } } }
    }
    /// The current token while it is not due for renewal, readable without a hop onto this actor:
    /// signing is on every poll, and the hop would take the poll off the curl thread and back.
    private nonisolated let fresh = Mutex<(secret: Secret, renewAt: Date)?>(nil)
    private var login: Task<Result<IssuedToken, CCEError>, Never>?
    private var failure: (error: CCEError, retryAt: Date, streak: Int)?

    struct IssuedToken {
        var secret: Secret
        var obtainedAt: Date
        var renewAt: Date
        var expiresAt: Date
    }

    public init(
        endpoint: CCEEndpoint, domain: String, user: String, password: Secret, scope: Scope,
        http: any HTTPClient, timeout: Duration = .seconds(10), logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }, clock: any Clock<Duration> = ContinuousClock(),
        retryDelays: [Duration] = [.seconds(1), .seconds(4)]
    ) {
        self.endpoint = endpoint
        self.domain = domain
        self.user = user
        self.password = password
        self.scope = scope
        self.http = http
        self.timeout = timeout
        self.logger = logger
        self.now = now
        self.clock = clock
        self.retryDelays = retryDelays
    }

    public nonisolated func sign(_ request: inout HTTPRequest, projectID: String) async throws(CCEError) {
        let moment = now()
        if let secret = fresh.withLock({ fresh in fresh.flatMap { moment < $0.renewAt ? $0.secret : nil } }) {
            request.setHeader("X-Auth-Token", secret.reveal)
            return
        }
        request.setHeader("X-Auth-Token", try await currentToken().reveal)
    }

    /// A valid token, logging in first when there is none or it is due for renewal.
    public func currentToken() async throws(CCEError) -> Secret {
        let moment = now()
        if let token, moment < token.renewAt { return token.secret }
        if let failure, moment < failure.retryAt {
            // Keep using a token that is due for renewal but still valid while IAM is failing.
            if let token, moment < token.expiresAt { return token.secret }
            throw failure.error
        }
        let pending = login ?? startLogin()
        switch await pending.value {
        case .success(let issued): return issued.secret
        case .failure(let error):
            if let token, now() < token.expiresAt {
                logger.warning("IAM token renewal failed; using the current token until it expires", metadata: [
                    "error": "\(error)", "expires_at": "\(GoTimestamp.formatRFC3339(token.expiresAt))",
                ])
                return token.secret
            }
            throw error
        }
    }

    /// A 401 `APIG(W).0301` for the token we hold means it expired or was revoked early: drop it so the
    /// next request logs in again, unless it was just issued (then the account, not the token, is the problem).
    public func reportAuthFailure(_ error: CCEError, for request: HTTPRequest) async -> Bool {
        guard error.status == 401, error.code.map({ $0.hasSuffix(".0301") }) ?? true else { return false }
        guard let token else { return failure == nil }
        guard request.header("X-Auth-Token") == token.secret.reveal else { return true }
        guard now().timeIntervalSince(token.obtainedAt) >= Self.minimumAgeForRenewal else { return false }
        logger.info("CCE refused the IAM token before its expiry; logging in again", metadata: ["code": "\(error.code ?? "")"])
        self.token = nil
        return true
    }

    private func startLogin() -> Task<Result<IssuedToken, CCEError>, Never> {
        let task = Task { await self.loginWithRetries() }
        login = task
        return task
    }

    private func loginWithRetries() async -> Result<IssuedToken, CCEError> {
        var attempt = 0
        var result: Result<IssuedToken, CCEError>
        while true {
            result = await loginOnce()
            guard case .failure(let error) = result, attempt < retryDelays.count, Self.isWorthRetrying(error) else { break }
            logger.debug("IAM login failed, retrying", metadata: ["error": "\(error)", "attempt": "\(attempt + 1)"])
            try? await clock.sleep(for: retryDelays[attempt])
            attempt += 1
        }
        switch result {
        case .success(let issued):
            token = issued
            failure = nil
            logger.info("obtained an IAM token", metadata: [
                "iam": "\(endpoint)", "expires_at": "\(GoTimestamp.formatRFC3339(issued.expiresAt))",
            ])
        case .failure(let error):
            let streak = (failure?.streak ?? 0) + 1
            let cooldown = min(Self.maximumCooldown, 5 * pow(2, Double(streak - 1)))
            failure = (error, now().addingTimeInterval(cooldown), streak)
            logger.error("IAM login failed", metadata: ["error": "\(error)", "next_attempt_in_s": "\(Int(cooldown))"])
        }
        login = nil
        return result
    }

    private static func isWorthRetrying(_ error: CCEError) -> Bool {
        switch error.kind {
        case .transport(let kind): HTTPError(kind, "").isTransient
        case .api(let status): status >= 500 || status == 429
        case .decoding, .credentials, .invalidJobID: false
        }
    }

    private func loginOnce() async -> Result<IssuedToken, CCEError> {
        let request = HTTPRequest(
            method: "POST", url: endpoint.url("/v3/auth/tokens?nocatalog=true"),
            headers: [
                HTTPHeader("Content-Type", "application/json;charset=utf8"),
                HTTPHeader("Accept", "application/json"),
                HTTPHeader("User-Agent", "jobhook/\(JobhookVersion.current)"),
            ],
            body: loginBody(), timeout: timeout, maxResponseBytes: CCEClient.maxResponseBytes)
        let sentAt = now()
        let response: HTTPResponse
        do {
            response = try await http.send(request)
        } catch {
            return .failure(CCEError(.transport(error.kind), message: "IAM login at \(endpoint) failed: \(error.message)"))
        }
        guard (200..<300).contains(response.status) else {
            var error = CCEError.from(response: response, jobID: nil, now: sentAt, hints: false)
            let detail = error.message.isEmpty ? "" : ": " + error.message
            if response.status >= 500 || response.status == 429 {
                error.message = "IAM login at \(endpoint) failed (HTTP \(response.status))" + detail
            } else {
                error.kind = .credentials
                error.message = "IAM at \(endpoint) refused the login for user \(user) in account \(domain) (HTTP \(response.status))"
                    + detail + " — check domain, user, password and that the project scope exists"
            }
            return .failure(error)
        }
        guard let subject = response.header("X-Subject-Token")?.trimmingWhitespace(), !subject.isEmpty else {
            return .failure(CCEError(.credentials, message: "IAM at \(endpoint) answered without an X-Subject-Token header"))
        }
        let times = Self.tokenTimes(response.body)
        let obtainedAt = now()
        let lifetime: TimeInterval
        if let expires = times.expiresAt, let issued = times.issuedAt, expires > issued {
            lifetime = expires.timeIntervalSince(issued)
        } else if let expires = times.expiresAt, expires > sentAt {
            lifetime = expires.timeIntervalSince(sentAt)
        } else {
            lifetime = 3600
        }
        return .success(IssuedToken(
            secret: Secret(subject), obtainedAt: obtainedAt,
            renewAt: obtainedAt.addingTimeInterval(lifetime * 0.8), expiresAt: obtainedAt.addingTimeInterval(lifetime)))
    }

    private func loginBody() -> Data {
        let project: [String: String]
        switch scope {
        case .projectName(let name): project = ["name": name]
        case .projectID(let id): project = ["id": id]
        }
        let body: [String: Any] = [
            "auth": [
                "identity": [
                    "methods": ["password"],
                    "password": ["user": ["name": user, "password": password.reveal, "domain": ["name": domain]]],
                ],
                "scope": ["project": project],
            ],
        ]
        return (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data()
    }

    private static func tokenTimes(_ body: Data) -> (expiresAt: Date?, issuedAt: Date?) {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
              let token = object["token"] as? [String: Any]
        else { return (nil, nil) }
        return ((token["expires_at"] as? String).flatMap(GoTimestamp.parse), (token["issued_at"] as? String).flatMap(GoTimestamp.parse))
    }
}
