import CCE

extension ConfigCheck {
    /// What `jobhook check` adds to loading: a config that could load but cannot poll real CCE — no
    /// project, or no credentials for a public endpoint (only a simulator or private gateway, given as
    /// `cce.endpoint`, may go without). The loader allows both because `watch` fills them from flags.
    public static func credentials(_ config: Config) -> [ConfigProblem] {
        var problems: [ConfigProblem] = []
        func problem(_ message: String) {
            problems.append(ConfigProblem(file: config.sourcePath, line: 1, column: 1, message: message))
        }
        for account in config.accounts {
            let place = config.accounts.count > 1 ? "cce '\(account.name)'" : "cce"
            if account.cce.projectID?.isEmpty ?? true {
                problem("\(place): missing 'project_id' (or set HUAWEICLOUD_SDK_PROJECT_ID)")
            }
            // `run` builds the endpoints at start-up and refuses these; `check` must not call the file OK.
            var endpoints = account.cce.endpoint.map { [("endpoint", $0)] } ?? []
            if case .iam(let iam) = account.cce.auth, let url = iam.endpoint { endpoints.append(("auth.iam.endpoint", url)) }
            for (key, url) in endpoints {
                do throws(CCEError) {
                    _ = try CCEEndpoint(url: url)
                } catch {
                    problem("\(place).\(key): \(error.message)")
                }
            }
            if account.cce.auth == nil, account.cce.endpoint == nil {
                problem("\(place): no credentials: give auth (token, token_file, access_key + secret_key, or iam) or set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK")
            }
        }
        return problems
    }
}
