import ArgumentParser
import CCE
import Foundation
import JobhookCore

/// `jobhook check`: validates the config without touching the network.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate rules.yaml: schema, unknown keys, regexes, templates, receivers, secrets.",
        discussion: "Prints one line per problem as FILE:LINE:COLUMN: message. Exit 0 valid, 1 invalid.")

    @OptionGroup var config: ConfigOptions

    func run() async throws {
        let loaded = try config.load(exitCode: 1)
        let errors = ConfigCheck.credentials(loaded)
        let text = (try? String(contentsOfFile: config.resolvedPath, encoding: .utf8)) ?? ""
        let warnings = (ConfigCheck.run(loaded) + ConfigCheck.literalSecrets(yaml: text, file: loaded.sourcePath))
            .sorted { ($0.line, $0.column) < ($1.line, $1.column) }
        // Messages never quote a secret's value; the redactor makes sure of it.
        let redactor = Redactor(config: loaded)
        for problem in errors + warnings { printError(PrintableText.escape(redactor.text(problem.description))) }
        if !errors.isEmpty { throw ExitCode(1) }
        print("\(config.resolvedPath): OK — \(loaded.receivers.count) receivers, \(loaded.rules.count) rules"
            + (warnings.isEmpty ? "" : ", \(warnings.count) warnings"))
        if let intake = loaded.smnIntake { print(Self.describe(intake)) }
    }

    /// The intake route and, when pinned, the certificate's subject, validity and SHA-256
    /// fingerprint, to compare with the one Huawei publishes (deploy/README.md).
    static func describe(_ intake: SMNIntakeSettings) -> String {
        var lines = ["intake.smn: POST \(intake.path) on server.listen, \(intake.topics.count) topic(s), max_age \(DurationText.format(intake.maxAge))"]
        switch intake.certificate {
        case .pinned(let path, let key):
            let expiry = key.notValidAfter < Date() ? "EXPIRED " : "valid until "
            lines.append("  certificate \(path): \(key.subject), \(expiry)\(key.notValidAfter.formatted(.iso8601))")
            lines.append("  SHA-256 fingerprint \(key.fingerprint)")
        case .fetched(let hosts):
            lines.append("  certificate fetched from signing_cert_url on \(hosts.sorted().joined(separator: ", "))")
        }
        return lines.map(PrintableText.escape).joined(separator: "\n")
    }
}
