extension ConfigCheck {
    /// What `jobhook check` adds to loading: a config that could load but cannot poll real CCE — no
    /// project, or no credentials for a public endpoint (only a simulator or private gateway, given as
    /// `cce.endpoint`, may go without). The loader allows both because `watch` fills them from flags.
    public static func credentials(_ config: Config) -> [ConfigProblem] {
        var problems: [ConfigProblem] = []
        func problem(_ message: String) {
            problems.append(ConfigProblem(file: config.sourcePath, line: 1, column: 1, message: message))
        }
        if config.cce.projectID?.isEmpty ?? true {
            problem("cce: missing 'project_id' (or set HUAWEICLOUD_SDK_PROJECT_ID)")
        }
        if config.cce.auth == nil, config.cce.endpoint == nil {
            problem("cce: no credentials: give auth (token, token_file, access_key + secret_key, or iam) or set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK")
        }
        return problems
    }
}
