import ArgumentParser
import CCE
import CurlHTTP
import Foundation
import JobhookCore

/// `jobhook send-test RECEIVER`: one sample event through the receiver's real delivery path.
struct SendTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send-test",
        abstract: "Send a sample event (a failed CreateCluster) to one receiver and report the outcome.",
        discussion: "Exit 0 delivered, 1 not.")

    @Argument(help: "The receiver's name in rules.yaml.")
    var receiver: String

    @OptionGroup var config: ConfigOptions

    func run() async throws {
        let loaded = try config.load()
        guard let target = loaded.receiver(named: receiver) else {
            let names = loaded.receivers.map(\.name).joined(separator: ", ")
            printError("no receiver named '\(receiver)' in \(config.resolvedPath) (receivers: \(names.isEmpty ? "none" : names))")
            throw ExitCode(1)
        }
        let change = SampleEvent.change()
        let rule = Rule(name: "send-test", match: Matcher(), notify: [receiver])
        let match = Match(change: change, rule: rule, receiverName: receiver)
        let request = Renderer.render(match: match, receiver: target, context: Renderer.context(for: match, config: loaded))
        let delivery = Delivery(
            id: match.eventID, receiver: receiver, rule: rule.name, jobID: change.rootID, uid: change.uid,
            transition: DeliveryPlanner.transition(change), request: request, createdAt: change.detectedAt)
        let http = CurlClient()
        defer { http.shutdown() }
        // The answer and the reasons are outside text: a receiver may echo its token or a header.
        let redactor = Redactor(config: loaded)
        func shown(_ text: String) -> String { PrintableText.escape(redactor.text(text)) }
        print("sending a sample \(change.job.type ?? "") \(change.to) event to \(receiver) (\(target.url)) …")
        let (outcome, response) = await DeliveryAttempt.exchange(delivery, to: target.deliveryTarget, http: http)
        if let response {
            let body = String(decoding: response.body.prefix(2000), as: UTF8.self)
            print("answer: HTTP \(response.status)" + (body.isEmpty ? "" : " \(shown(body))"))
        }
        switch outcome {
        case .delivered:
            print("delivered")
        case .retryable(let reason, _, _):
            print("not delivered (would be retried): \(shown(reason))")
            throw ExitCode(1)
        case .permanent(let reason):
            print("not delivered (permanent): \(shown(reason))")
            throw ExitCode(1)
        }
    }
}
