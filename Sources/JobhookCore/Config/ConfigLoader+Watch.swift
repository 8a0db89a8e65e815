import CCE
import Foundation

/// `--region`, `--endpoint`, `--project-id`: flags that override the config's `cce:` section.
public struct CCEOverrides: Sendable, Hashable {
    public var region: String?
    public var endpoint: String?
    public var projectID: String?
    /// `--cce NAME`: only this account of the config (the others are left out).
    public var account: String?

    public init(region: String? = nil, endpoint: String? = nil, projectID: String? = nil, account: String? = nil) {
        self.region = region
        self.endpoint = endpoint
        self.projectID = projectID
        self.account = account
    }
}

extension ConfigLoader {
    /// The config for `jobhook watch`, which also works without a config file (in CI, next to the
    /// official SDK): the file when it was named (`explicit`) or exists, else CCE settings from the
    /// SDK's `HUAWEICLOUD_SDK_*` variables. Flags override either.
    public static func loadForWatch(
        path: String, explicit: Bool, environment: [String: String], overrides: CCEOverrides
    ) throws(ConfigError) -> Config {
        var environment = environment
        // Flags stand in for the SDK variables where the file says nothing, and override it below.
        if let region = overrides.region { environment["HUAWEICLOUD_SDK_REGION"] = region }
        if let projectID = overrides.projectID { environment["HUAWEICLOUD_SDK_PROJECT_ID"] = projectID }
        var config: Config
        if explicit || FileManager.default.fileExists(atPath: path) {
            config = try load(path: path, environment: environment)
        } else {
            let sdk = CredentialsFromEnvironment(environment)
            guard let region = sdk.region ?? (overrides.endpoint != nil ? "custom" : nil) else {
                throw ConfigError(problems: [ConfigProblem(
                    file: path, line: 1, column: 1,
                    message: "no config file and no region: pass --region or set HUAWEICLOUD_SDK_REGION")])
            }
            if let problem = sdk.halfAccessKeyProblem {
                throw ConfigError(problems: [ConfigProblem(file: path, line: 1, column: 1, message: problem)])
            }
            let cce = CCESettings(region: region, projectID: sdk.projectID, auth: AuthSettings.fromEnvironment(environment))
            config = Config(cce: cce)
        }
        if let name = overrides.account {
            guard let account = config.account(named: name) else {
                throw ConfigError(problems: [ConfigProblem(
                    file: path, line: 1, column: 1,
                    message: "--cce: no account '\(name)' (accounts: \(config.accounts.map(\.name).joined(separator: ", ")))")])
            }
            config.accounts = [account]
        }
        if let region = overrides.region { config.cce.region = region }
        if let endpoint = overrides.endpoint { config.cce.endpoint = endpoint }
        if let projectID = overrides.projectID { config.cce.projectID = projectID }
        return config
    }
}
