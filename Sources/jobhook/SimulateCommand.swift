import ArgumentParser
import Foundation
import JobhookCore
import JobhookSimulator
import Logging

/// `jobhook simulate`: a local CCE API playing scripted job timelines, for trying rules without a cloud account.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Serve a local CCE job API that plays scripted job timelines.",
        discussion: """
            Without --scenario, plays the built-in scenario: a cluster creation that succeeds, one that \
            fails in a sub-job (insufficient quota) and a node creation. Point jobhook at it with \
            `cce.endpoint: http://HOST:PORT`. Control API: POST /sim/jobs, POST /sim/jobs/{id}/phase, \
            POST /sim/faults, POST /sim/smn/publish, GET /sim/stats. With `smn:` in the scenario, every job \
            is also announced to jobhook's SMN intake (smn.url) as a signed CTS trace when it begins.
            """
    )

    @Option(name: .long, help: "Scenario file (YAML or JSON).")
    var scenario: String?

    @Option(name: .long, help: "Address to listen on, HOST:PORT (port 0 picks a free port).")
    var listen = "127.0.0.1:8080"

    func validate() throws {
        guard Self.split(listen) != nil else {
            throw ValidationError("--listen must be HOST:PORT, e.g. 127.0.0.1:8080 (got '\(listen)')")
        }
    }

    func run() async throws {
        let script: Scenario
        if let path = scenario {
            do {
                script = try Scenario.load(path: path)
            } catch {
                throw ValidationError(error.description)
            }
        } else {
            script = .builtIn
        }
        guard let (host, port) = Self.split(listen) else { throw ValidationError("bad --listen") }
        let simulator = CCESimulator(scenario: script)
        let logger = LoggingOptions.bootstrap(level: .warning, format: .text)
        if let smn = script.smn {
            do {
                _ = try await simulator.smnIdentity()
            } catch {
                throw ValidationError(error.description)
            }
            let certificate = smn.certFile.map { "certificate written to \($0)" } ?? "certificate at /sim/smn/cert.pem only (no smn.cert_file)"
            let line = "SMN: publishing to \(smn.url) as \(smn.topicURN(projectID: script.projectID)); \(certificate)\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        }
        try await simulator.run(host: host, port: port, logger: logger) { bound in
            let jobs = script.jobIDs.joined(separator: " ")
            let line = "CCE simulator listening on http://\(host):\(bound) serving jobs: \(jobs)\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        }
    }

    /// `host:port` → parts; IPv6 hosts in brackets (`[::1]:8080`).
    static func split(_ address: String) -> (String, Int)? {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
              (0...65535).contains(port)
        else { return nil }
        var host = String(address[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }
}
