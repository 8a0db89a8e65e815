import CCE
import Yams

extension Redactor {
    /// Everything `config` knows to be secret: what `${…}` put in a secret position, the CCE
    /// credentials, the API token, receivers' signing secrets, the credential parts of receiver URLs
    /// and the literal values of credential headers.
    public init(config: Config) {
        var values = config.expandedSecrets
        func add(_ secret: Secret?) { if let secret { values.append(secret.reveal) } }
        for account in config.accounts {
            switch account.cce.auth {
            case .token(let token): add(token)
            case .accessKey(let ak, let sk, let securityToken): add(ak); add(sk); add(securityToken)
            case .iam(let iam):
                add(iam.password)
                values += iam.endpoint.map(Self.secretParts(ofURL:)) ?? []
            case .tokenFile, nil: break
            }
            values += account.cce.endpoint.map(Self.secretParts(ofURL:)) ?? []
        }
        add(config.server.token)
        // state.postgres.url's password, also when written literally rather than through ${…}.
        if let password = config.state.postgres?.url.password { values.append(password) }
        for receiver in config.receivers {
            values += Self.secretParts(ofURL: receiver.url.reveal)
            add(receiver.secret)
            receiver.signing?.standardWebhooks.forEach { add($0) }
            add(receiver.signing?.hmac?.secret)
            for header in receiver.headers where Self.isCredentialHeader(header.name) {
                // A templated value is known once rendered (`secrets(of:)`); a literal `Bearer abc` is known now.
                let source = header.value.source
                guard !source.contains("{{") else { continue }
                values.append(Self.credential(inHeaderValue: source))
            }
        }
        for receiver in config.receivers { values += receiver.body.map(Self.literalCredentials(in:)) ?? [] }
        self.init(secrets: values)
    }

    /// A key whose value is a credential, in a body or a query (`token`, `api_key`, `X-Secret`…).
    static func isCredentialKey(_ name: String) -> Bool {
        isCredentialHeader(name) || credentialQueryNames.contains(name.lowercased())
    }

    /// Literal (untemplated) strings under credential keys of a body, such as GitLab's
    /// `token: glptt-…` written in the file.
    static func literalCredentials(in body: BodyTemplate) -> [String] {
        switch body {
        case .object(let members):
            return members.flatMap { member -> [String] in
                if isCredentialKey(member.key), case .string(let template) = member.value, !template.source.contains("{{") {
                    return [template.source]
                }
                return literalCredentials(in: member.value)
            }
        case .array(let items):
            return items.flatMap(literalCredentials(in:))
        case .string, .integer, .double, .bool, .null:
            return []
        }
    }

    /// Config positions whose `${…}` values are not secrets (names, places, timings, message text):
    /// masking `cn-north-4` or `prod` all over the output would hide what the reader needs.
    static let plainKeys: Set<String> = [
        "name", "region", "project_id", "endpoint", "timeout", "preset", "method", "content_type", "text", "title",
        "retry", "rate_limit", "listen", "path", "domain", "user", "project", "header", "prefix", "watch", "discover",
        "poll", "lease", "topics", "cert_file", "cert_hosts", "max_age",
    ]
    /// Sections that hold credentials; `poll`, `watch`, `discover` and `rules` hold none.
    static let secretSections: Set<String> = ["cce", "server", "receivers", "state", "intake"]

    /// The environment values `${NAME}` puts into secret positions of the parsed file `root`.
    static func expandedSecrets(in root: Node, environment: [String: String]) -> [String] {
        var values: [String] = []
        func walk(_ node: Node) {
            switch node {
            case .scalar(let scalar):
                values += variableNames(in: scalar.string).compactMap { environment[$0] }
            case .mapping(let mapping):
                for (key, value) in mapping where !plainKeys.contains(key.string ?? "") { walk(value) }
            case .sequence(let sequence):
                sequence.forEach(walk)
            case .alias:
                break
            }
        }
        if case .mapping(let top) = root {
            for (key, value) in top where secretSections.contains(key.string ?? "") { walk(value) }
        }
        return values
    }

    /// The `NAME`s of `${NAME}` in `text` (not `$${`, which is a literal).
    static func variableNames(in text: String) -> [String] {
        guard text.contains("${") else { return [] }
        var names: [String] = []
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            let after = rest[rest.index(after: dollar)...]
            if after.hasPrefix("${") {
                rest = after.dropFirst(2)
            } else if after.hasPrefix("{"), let close = after.firstIndex(of: "}") {
                names.append(String(after[after.index(after: after.startIndex)..<close]))
                rest = after[after.index(after: close)...]
            } else {
                rest = after
            }
        }
        return names
    }
}
