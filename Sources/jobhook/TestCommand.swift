import ArgumentParser
import CCE
import CurlHTTP
import Foundation
import JobhookCore

/// `jobhook test`: a dry run from job documents to the exact requests, secrets masked.
struct TestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Dry run: phase changes between two job documents, the rules they match, the requests that would go out.")

    @OptionGroup var config: ConfigOptions

    @Option(help: "A ShowJob answer (JSON) as CCE returns it.")
    var job: String

    @Option(help: "The previous answer for the same job (without it, everything is new).")
    var previous: String?

    @Flag(help: "Deliver the requests for real (one attempt each) and print each outcome.")
    var send = false

    func run() async throws {
        let loaded = try config.load()
        let redactor = Redactor(config: loaded)
        let tree = try readJob(job)
        let before = try previous.map { PhaseTracker.phases(of: try readJob($0)) } ?? [:]
        let rootID = tree.uid ?? "job"
        let changes = PhaseTracker.changes(previous: before, tree: tree, rootID: rootID, detectedAt: Date())
        if changes.isEmpty { print("no phase changes") }
        let http = send ? CurlClient() : nil
        defer { http?.shutdown() }
        // Planned together, as the pipeline does: a group_wait group opened by one change is joined by the next.
        let planned = Pipeline.plan(changes, config: loaded)
        for change in changes {
            print(PrintableText.escape("\(change.level.rawValue) \(change.uid) \(change.job.type ?? "?"): \(DeliveryPlanner.transition(change))"))
            let deliveries = planned.filter { $0.uid == change.uid && $0.transition == DeliveryPlanner.transition(change) }
            if deliveries.isEmpty { print("  no rule matches") }
            for delivery in deliveries {
                print("  rule \(delivery.rule) → receiver \(delivery.receiver) (webhook-id \(delivery.id))")
                // Masked for the reader, escaped for the terminal: a rendered value may carry a CCE reason.
                print("    \(delivery.request.method) \(PrintableText.escape(redactor.url(delivery.request.url)))")
                for header in delivery.request.headers {
                    print("    \(header.name): \(PrintableText.escape(redactor.header(name: header.name, value: header.value)))")
                }
                print("    Content-Type: \(PrintableText.escape(delivery.request.contentType))")
                if let body = delivery.request.body {
                    print("    " + PrintableText.escape(redactor.text(String(decoding: body, as: UTF8.self))))
                }
                if let http, let receiver = loaded.receiver(named: delivery.receiver) {
                    let outcome = await DeliveryAttempt.send(delivery, to: receiver.deliveryTarget, http: http)
                    print("    sent: \(outcome.label) — \(PrintableText.escape(redactor.text(outcome.reason)))")
                }
            }
        }
    }

    private func readJob(_ path: String) throws -> Job {
        guard let data = FileManager.default.contents(atPath: path) else {
            printError("\(path): cannot read the file")
            throw ExitCode(2)
        }
        do {
            return try Job.decode(data)
        } catch {
            printError("\(path): not a CCE job document: \(error)")
            throw ExitCode(2)
        }
    }
}
