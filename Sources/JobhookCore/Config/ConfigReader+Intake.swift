import Yams

extension ConfigReader {
    /// `intake:` — only `smn` so far.
    mutating func intakeSettings(_ node: Node, server: ServerSettings) -> SMNIntakeSettings? {
        guard let intake = fields(node, "intake", allowed: ["smn"]), let smnNode = intake["smn"] else { return nil }
        let smn = smnIntakeSettings(smnNode)
        if smn != nil, server.listen == nil {
            report("intake.smn: the route is served on server.listen, which is off (listen: ~)", at: smnNode)
        }
        return smn
    }

    private mutating func smnIntakeSettings(_ node: Node) -> SMNIntakeSettings? {
        let allowed = ["path", "topics", "cert_file", "cert_hosts", "max_age"]
        guard let smn = fields(node, "intake.smn", allowed: allowed) else { return nil }
        var path = SMNIntakeSettings.defaultPath
        if let pathNode = smn["path"], let text = string(pathNode, smn.path("path")) {
            if let problem = Self.intakePathProblem(text) {
                report("\(smn.path("path")): \(problem) (got '\(text.clipped)')", at: pathNode)
            } else {
                path = text
            }
        }
        var topics: Set<String> = []
        if let topicsNode = smn["topics"] {
            for (index, topic) in (stringList(topicsNode, smn.path("topics")) ?? []).enumerated() {
                let trimmed = String(topic.trimmingSpaces)
                if trimmed.hasPrefix("urn:smn:"), trimmed.split(separator: ":", omittingEmptySubsequences: false).count == 5 {
                    topics.insert(trimmed)
                } else {
                    report("\(smn.path("topics"))[\(index)]: expected a topic URN like urn:smn:cn-north-4:PROJECT_ID:NAME (got '\(topic.clipped)')",
                           at: topicsNode)
                }
            }
            if topics.isEmpty, case .sequence(let items) = topicsNode, items.isEmpty {
                report("\(smn.path("topics")): list at least one topic URN: only messages of listed topics are accepted", at: topicsNode)
            }
        } else {
            report("missing 'topics' in intake.smn (only messages of listed topic URNs are accepted)", at: node)
        }
        let maxAge = duration(smn, "max_age", default: .seconds(15 * 60))
        let certificate: SMNIntakeSettings.CertificateSource?
        switch (smn["cert_file"], smn["cert_hosts"]) {
        case (let fileNode?, nil):
            certificate = string(fileNode, smn.path("cert_file")).flatMap { pinnedCertificate($0, at: fileNode, smn.path("cert_file")) }
        case (nil, let hostsNode?):
            let hosts = (stringList(hostsNode, smn.path("cert_hosts")) ?? []).map { String($0.trimmingSpaces).lowercased() }
            if hosts.isEmpty || hosts.contains(where: { $0.isEmpty || $0.contains("/") || $0.contains(":") }) {
                report("\(smn.path("cert_hosts")): expected host names like smn.cn-north-4.myhuaweicloud.com", at: hostsNode)
                certificate = nil
            } else {
                certificate = .fetched(hosts: Set(hosts))
            }
        case (_?, let hostsNode?):
            report("intake.smn: give cert_file or cert_hosts, not both", at: hostsNode)
            certificate = nil
        case (nil, nil):
            report("intake.smn: missing cert_file (the certificate SMN signs with, pinned: the safe choice) or cert_hosts", at: node)
            certificate = nil
        }
        guard let certificate, !topics.isEmpty else { return nil }
        return SMNIntakeSettings(path: path, topics: topics, certificate: certificate, maxAge: maxAge)
    }

    /// `cert_file`, read now, so `check` and a reload find a wrong file before a message does.
    private mutating func pinnedCertificate(_ path: String, at node: Node, _ place: String) -> SMNIntakeSettings.CertificateSource? {
        do throws(SMNKeyError) {
            return .pinned(path: path, key: try SMNSigningKey(contentsOf: path))
        } catch {
            report("\(place): \(error.description)", at: node)
            return nil
        }
    }

    /// The API's own paths (`APIRoute.all` in JobhookServer), which the intake route must not shadow.
    static let reservedPaths: Set<String> = ["/healthz", "/readyz", "/metrics", "/openapi.json"]

    /// A plain absolute path outside the token-guarded `/v1` and `/-` (SMN cannot send a token) and
    /// free of route patterns (`{id}`, `*`, `:name`).
    static func intakePathProblem(_ path: String) -> String? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        guard path.hasPrefix("/"), !segments.isEmpty else { return "expected an absolute path like /intake/smn" }
        let allowed = path.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "-._~/".unicodeScalars.contains($0)
        }
        guard allowed else { return "may contain letters, digits and - . _ ~ / only" }
        if segments.first == "v1" || segments.first == "-" { return "must not be under /v1 or /- (those need server.token; SMN cannot send one)" }
        if reservedPaths.contains("/" + segments.joined(separator: "/")) { return "is one of the API's own paths" }
        return nil
    }
}
