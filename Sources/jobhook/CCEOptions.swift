import ArgumentParser
import Foundation
import JobhookCore

/// `--region`, `--endpoint`, `--project-id`, and the config they override: the commands that talk
/// to CCE work with a config file or, like the official SDKs, with `HUAWEICLOUD_SDK_*` alone.
struct CCEOptions: ParsableArguments {
    @OptionGroup var config: ConfigOptions

    @Option(help: "CCE region (overrides the config and HUAWEICLOUD_SDK_REGION).")
    var region: String?

    @Option(help: "CCE endpoint URL (e.g. http://127.0.0.1:8080 for the simulator).")
    var endpoint: String?

    @Option(help: "Project ID (overrides the config and HUAWEICLOUD_SDK_PROJECT_ID).")
    var projectID: String?

    @Option(name: .customLong("cce"), help: "Only this CCE account of the config (by name; needed by watch with several).")
    var account: String?

    /// The config file when named or present, else the environment; flags override. Problems are
    /// printed one per line and exit 2; so is a config of several accounts when the command
    /// follows one (`oneAccount`) and `--cce` does not say which.
    func load(oneAccount: Bool = false) throws -> Config {
        let environment = ProcessInfo.processInfo.environment
        let loaded: Config
        do {
            loaded = try ConfigLoader.loadForWatch(
                path: config.resolvedPath, explicit: config.path != nil || !(environment["JOBHOOK_CONFIG"] ?? "").isEmpty,
                environment: environment,
                overrides: CCEOverrides(region: region, endpoint: endpoint, projectID: projectID, account: account))
        } catch {
            for problem in error.problems { printError(problem.description) }
            throw ExitCode(2)
        }
        if oneAccount, loaded.accounts.count > 1 {
            printError("jobhook: \(config.resolvedPath) has several CCE accounts; pass --cce NAME (one of \(loaded.accounts.map(\.name).joined(separator: ", ")))")
            throw ExitCode(2)
        }
        return loaded
    }
}
