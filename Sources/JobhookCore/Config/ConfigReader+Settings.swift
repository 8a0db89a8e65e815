import CCE
import Yams

/// The daemon sections: `cce`, `poll`, `watch`, `state`, `server`.
extension ConfigReader {
    static let cceKeys = ["region", "endpoint", "project_id", "auth", "timeout"]

    /// The single-account `cce:` mapping (absent: everything from the `HUAWEICLOUD_SDK_*` variables).
    mutating func cceSettings(_ node: Node?, at root: Node) -> CCESettings? {
        var section = Fields(path: "cce", node: node ?? root)
        if let node {
            guard let read = fields(node, "cce", allowed: Self.cceKeys) else { return nil }
            section = read
        }
        return cceSettings(section)
    }

    /// The CCE keys of `section` (`cce` or one account of the list); what the file leaves out comes
    /// from the `HUAWEICLOUD_SDK_*` variables, as the SDKs do.
    mutating func cceSettings(_ section: Fields) -> CCESettings? {
        let path = section.path
        let sdk = CredentialsFromEnvironment(environment)
        var region = optionalString(section, "region")
        if region == nil, section["region"] == nil { region = sdk.region }
        if region == nil, section["region"] == nil {
            report("missing 'region' in \(path) (or set HUAWEICLOUD_SDK_REGION)", at: section.node)
        }
        var endpoint: String?
        if let endpointNode = section["endpoint"], let text = string(endpointNode, section.path("endpoint")) {
            if WebhookURL(text) == nil {
                report("\(section.path("endpoint")): expected an http or https URL (got '\(text.clipped)')", at: endpointNode)
            } else {
                endpoint = text
            }
        }
        var projectID = optionalString(section, "project_id")
        if projectID == nil, section["project_id"] == nil {
            projectID = sdk.projectID
        }
        if section["auth"] == nil, let problem = sdk.halfAccessKeyProblem {
            report("\(path): \(problem)", at: section.node)
        }
        let auth = section["auth"].flatMap { authSettings($0, section.path("auth")) } ?? AuthSettings(sdk)
        let timeout = duration(section, "timeout", default: .seconds(10))
        guard let region else { return nil }
        return CCESettings(region: region, endpoint: endpoint, projectID: projectID, auth: auth, timeout: timeout)
    }

    mutating func authSettings(_ node: Node, _ path: String = "cce.auth") -> AuthSettings? {
        let allowed = ["token", "token_file", "access_key", "secret_key", "security_token", "iam"]
        guard let auth = fields(node, path, allowed: allowed) else { return nil }
        let methods = ["token", "token_file", "access_key", "iam"].filter { auth[$0] != nil }
        guard methods.count <= 1 else {
            report("\(path): more than one authentication method (\(methods.joined(separator: ", "))); give exactly one", at: node)
            return nil
        }
        switch methods.first {
        case "token":
            return optionalString(auth, "token").map { .token(Secret($0)) }
        case "token_file":
            return optionalString(auth, "token_file").map { .tokenFile(path: $0) }
        case "access_key":
            let ak = optionalString(auth, "access_key")
            let sk = requiredString(auth, "secret_key")
            let securityToken = optionalString(auth, "security_token")
            guard let ak, let sk else { return nil }
            return .accessKey(ak: Secret(ak), sk: Secret(sk), securityToken: securityToken.map { Secret($0) })
        case "iam":
            return auth["iam"].flatMap { iamSettings($0, "\(path).iam") }.map { .iam($0) }
        default:
            if auth["secret_key"] != nil || auth["security_token"] != nil {
                missing("access_key", in: auth)
            } else {
                report("\(path): no authentication method (expected one of token, token_file, access_key with secret_key, iam)", at: node)
            }
            return nil
        }
    }

    mutating func iamSettings(_ node: Node, _ path: String) -> IAMSettings? {
        guard let iam = fields(node, path, allowed: ["endpoint", "domain", "user", "password", "project"]) else { return nil }
        var endpoint: String?
        if let endpointNode = iam["endpoint"], let text = string(endpointNode, iam.path("endpoint")) {
            if WebhookURL(text) == nil {
                report("\(iam.path("endpoint")): expected an http or https URL (got '\(text.clipped)')", at: endpointNode)
            }
            endpoint = text
        }
        let domain = requiredString(iam, "domain")
        let user = requiredString(iam, "user")
        let password = requiredString(iam, "password")
        let project = optionalString(iam, "project")
        guard let domain, let user, let password else { return nil }
        return IAMSettings(endpoint: endpoint, domain: domain, user: user, password: Secret(password), project: project)
    }

    mutating func pollSettings(_ node: Node) -> PollSettings {
        let defaults = PollSettings()
        guard let poll = fields(node, "poll", allowed: ["interval", "concurrency", "max_rps", "job_timeout"]) else { return defaults }
        return PollSettings(
            interval: duration(poll, "interval", default: defaults.interval),
            concurrency: positiveInt(poll, "concurrency", default: defaults.concurrency),
            maxRPS: positiveInt(poll, "max_rps", default: defaults.maxRPS),
            jobTimeout: duration(poll, "job_timeout", default: defaults.jobTimeout)
        )
    }

    mutating func watchSettings(_ node: Node, _ path: String = "watch") -> WatchSettings {
        guard let watch = fields(node, path, allowed: ["jobs"]), let jobs = watch["jobs"] else { return WatchSettings() }
        // Each entry is checked at its own node, so the problem points at the offending line.
        let entries: [(node: Node, path: String)] = if case .sequence(let sequence) = jobs {
            sequence.enumerated().map { ($0.element, "\(path).jobs[\($0.offset)]") }
        } else {
            [(jobs, "\(path).jobs")]
        }
        var ids: [String] = []
        for entry in entries {
            guard let id = string(entry.node, entry.path) else { continue }
            if let problem = JobID.problem(id) {
                report("\(entry.path): \(problem)", at: entry.node)
            } else {
                ids.append(id)
            }
        }
        return WatchSettings(jobs: ids)
    }

    /// `state:` names exactly one store: `path` (SQLite, the default) or `postgres`.
    mutating func stateSettings(_ node: Node) -> StateSettings {
        guard let state = fields(node, "state", allowed: ["path", "postgres"]) else { return StateSettings() }
        if state["path"] != nil, let postgres = state["postgres"] {
            report("state: give exactly one of 'path' (an SQLite file) and 'postgres' (a database), not both", at: postgres)
        }
        let path = optionalString(state, "path") ?? StateSettings().path
        guard let postgresNode = state["postgres"] else { return StateSettings(path: path) }
        return StateSettings(path: path, postgres: postgresSettings(postgresNode))
    }

    /// `state.postgres: {url, lease}`. The URL's problems never quote it: it holds the password.
    mutating func postgresSettings(_ node: Node) -> PostgresSettings? {
        guard let postgres = fields(node, "state.postgres", allowed: ["url", "lease"]) else { return nil }
        // `duration` refuses 0s and anything unparsable, at the value's line.
        let lease = duration(postgres, "lease", default: PostgresSettings.defaultLease)
        if lease < PostgresSettings.minimumLease, let node = postgres["lease"] {
            report("state.postgres.lease: at least 1s (the lease is renewed every third of it; 15s is the default)", at: node)
        }
        guard let urlNode = postgres["url"] else {
            missing("url", in: postgres)
            return nil
        }
        guard let text = string(urlNode, "state.postgres.url") else { return nil }
        switch PostgresURL.parse(text) {
        case .success(var url):
            // As libpq: no password in the URL, then $PGPASSWORD (any characters, no URL escaping).
            if url.password == nil, let password = environment["PGPASSWORD"], !password.isEmpty { url.password = password }
            if let rootCert = url.sslRootCert, let problem = PostgresTrustRoots.problem(rootCert) {
                report("state.postgres.url: sslrootcert \(problem)", at: urlNode)
            }
            return PostgresSettings(url: url, lease: lease)
        case .failure(let problem):
            report("state.postgres.url: \(problem)", at: urlNode)
            return nil
        }
    }

    mutating func serverSettings(_ node: Node) -> ServerSettings {
        let defaults = ServerSettings()
        guard let server = fields(node, "server", allowed: ["listen", "token"]) else { return defaults }
        var listen = defaults.listen
        if let listenNode = server["listen"] {
            if listenNode.isNull {
                listen = nil
            } else if let text = string(listenNode, "server.listen") {
                if ListenAddress.parse(text) == nil {
                    report("server.listen: expected HOST:PORT like 127.0.0.1:9787 (got '\(text.clipped)')", at: listenNode)
                }
                listen = text
            }
        }
        let token = optionalString(server, "token").map { Secret($0) }
        if token == nil, server["token"] == nil, let listen, let address = ListenAddress.parse(listen), !address.isLoopback {
            report("server.token is required when server.listen is not a loopback address", at: server["listen"] ?? node)
        }
        return ServerSettings(listen: listen, token: token)
    }
}

/// `server.listen`'s `HOST:PORT` (`[::1]:9787` for IPv6).
struct ListenAddress {
    var host: String
    var port: Int

    static func parse(_ text: String) -> ListenAddress? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, !host.contains(" ") else { return nil }
        return ListenAddress(host: host, port: port)
    }

    var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
