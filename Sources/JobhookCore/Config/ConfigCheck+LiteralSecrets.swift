import Foundation
import Yams

extension ConfigCheck {
    /// Secrets written into rules.yaml itself (a credential header value, `user:pass@` in a URL, a
    /// token in a query or a chat vendor's hook path, a body's `token:`, an auth token or signing
    /// secret) rather than
    /// taken from the environment with `${…}`: a warning at the value's `FILE:LINE:COLUMN`, because a
    /// file with secrets in it ends up in a repository, a ticket or a screen share. Warnings only:
    /// the file still works. Reads the YAML again, as the loaded `Config` no longer knows which
    /// values came from `${…}`.
    public static func literalSecrets(yaml: String, file: String) -> [ConfigProblem] {
        guard let root = try? Yams.compose(yaml: yaml), case .mapping(let top) = root else { return [] }
        var warnings: [ConfigProblem] = []
        func warn(_ node: Node, _ path: String, _ what: String, suggest name: String) {
            warnings.append(ConfigProblem(
                file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1,
                message: "\(path): \(what) is written in the file; set it in the environment and write ${\(name)} instead",
                severity: .warning))
        }
        func field(_ node: Node?, _ key: String) -> Node? {
            guard case .mapping(let mapping)? = node else { return nil }
            return mapping.first { $0.key.string == key }?.value
        }
        /// A value written as is: not from `${…}`, not a template, not empty.
        func literal(_ node: Node?) -> Node? {
            guard let node, case .scalar(let scalar) = node, !scalar.string.isEmpty,
                  !scalar.string.contains("${"), !scalar.string.contains("{{") else { return nil }
            return node
        }
        func checkURL(_ node: Node?, _ path: String, suggest name: String) {
            guard let node = literal(node), let text = node.string else { return }
            for what in urlCredentials(text) { warn(node, path, what, suggest: name) }
        }

        for (topKey, value) in top {
            switch topKey.string {
            case "cce":
                let accounts: [Node] = if case .sequence(let items) = value { Array(items) } else { [value] }
                for (index, account) in accounts.enumerated() {
                    let prefix = accounts.count > 1 ? "cce[\(index)]" : "cce"
                    checkURL(field(account, "endpoint"), "\(prefix).endpoint", suggest: "CCE_ENDPOINT")
                    let auth = field(account, "auth")
                    for (key, name) in [("token", "CCE_TOKEN"), ("secret_key", "HW_SECRET_KEY"), ("security_token", "HW_SECURITY_TOKEN")] {
                        if let node = literal(field(auth, key)) { warn(node, "\(prefix).auth.\(key)", "a credential", suggest: name) }
                    }
                    if let node = literal(field(field(auth, "iam"), "password")) { warn(node, "\(prefix).auth.iam.password", "a password", suggest: "HW_PASSWORD") }
                }
            case "server":
                if let node = literal(field(value, "token")) { warn(node, "server.token", "the API token", suggest: "JOBHOOK_API_TOKEN") }
            case "receivers":
                guard case .sequence(let receivers) = value else { continue }
                for (index, receiver) in receivers.enumerated() {
                    let name = field(receiver, "name")?.string
                    let path = name.map { "receiver '\($0)'" } ?? "receivers[\(index)]"
                    let stem = environmentName(name ?? "receiver_\(index)")
                    checkURL(field(receiver, "url"), "\(path) url", suggest: "\(stem)_URL")
                    if case .mapping(let headers)? = field(receiver, "headers") {
                        for (header, headerValue) in headers {
                            guard let headerName = header.string, Redactor.isCredentialHeader(headerName),
                                  let node = literal(headerValue) else { continue }
                            warn(node, "\(path) headers.\(headerName)", "a credential", suggest: "\(stem)_\(environmentName(headerName))")
                        }
                    }
                    func checkBody(_ node: Node, _ bodyPath: String) {
                        switch node {
                        case .mapping(let mapping):
                            for (key, value) in mapping {
                                guard let name = key.string else { continue }
                                if Redactor.isCredentialKey(name), let leaf = literal(value) {
                                    warn(leaf, "\(path) \(bodyPath).\(name)", "a credential",
                                         suggest: "\(stem)_\(environmentName(name))")
                                } else {
                                    checkBody(value, "\(bodyPath).\(name)")
                                }
                            }
                        case .sequence(let items):
                            for (index, item) in items.enumerated() { checkBody(item, "\(bodyPath)[\(index)]") }
                        case .scalar, .alias:
                            break
                        }
                    }
                    if let body = field(receiver, "body") { checkBody(body, "body") }
                    if let node = literal(field(receiver, "secret")) { warn(node, "\(path) secret", "a signing secret", suggest: "\(stem)_SECRET") }
                    let signing = field(receiver, "signing")
                    let standard: [Node] = switch field(signing, "standard_webhooks") {
                    case .sequence(let items)?: Array(items)
                    case let node?: [node]
                    case nil: []
                    }
                    for node in standard.compactMap(literal) {
                        warn(node, "\(path) signing.standard_webhooks", "a signing secret", suggest: "\(stem)_WHSEC")
                    }
                    if let node = literal(field(field(signing, "hmac"), "secret")) {
                        warn(node, "\(path) signing.hmac.secret", "a signing secret", suggest: "\(stem)_HMAC_SECRET")
                    }
                }
            default:
                continue
            }
        }
        return warnings
    }

    /// What in a URL is a credential: `user:pass@`, a token-looking query value, a vendor's hook token.
    static func urlCredentials(_ text: String) -> [String] {
        guard let components = URLComponents(string: text) else { return [] }
        var found: [String] = []
        if components.user != nil || components.password != nil { found.append("a credential (user:password@)") }
        for item in components.queryItems ?? [] {
            guard let value = item.value, !value.isEmpty else { continue }
            if Redactor.credentialQueryNames.contains(item.name.lowercased()) || looksRandom(value) {
                found.append("a credential (the query value of '\(item.name)')")
            }
        }
        if Redactor.maskedPath(Substring(components.percentEncodedPath), host: components.host?.lowercased() ?? "").1 != nil {
            found.append("a credential (the hook token in the path)")
        }
        return found
    }

    /// 16 or more characters mixing letters and digits: how generated tokens look, and words do not.
    static func looksRandom(_ value: String) -> Bool {
        value.count >= 16 && value.contains(where: \.isNumber) && value.contains(where: \.isLetter)
    }

    /// `ops-chat` → `OPS_CHAT`.
    static func environmentName(_ text: String) -> String {
        String(text.uppercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
    }
}
