import Foundation

/// `jobhook check`'s second pass over a config that loaded: renders every template against
/// `SampleEvent` and warns about what would surprise the user at 3 a.m. rather than now.
public enum ConfigCheck {
    /// Warnings (severity `.warning`), in file order.
    public static func run(_ config: Config) -> [ConfigProblem] {
        var warnings: [ConfigProblem] = []
        func warn(_ message: String, line: Int?, column: Int?) {
            warnings.append(ConfigProblem(file: config.sourcePath, line: line ?? 1, column: column ?? 1, message: message, severity: .warning))
        }
        let change = SampleEvent.change()
        for receiver in config.receivers {
            let rule = config.rules.first { $0.notify.contains(receiver.name) }
            let context = TemplateContext(
                change: change, rule: rule?.name ?? "sample-rule", receiver: receiver.name,
                eventID: EventID.make(change: change, rule: rule?.name ?? "sample-rule", receiver: receiver.name),
                region: config.cce.region, projectID: config.cce.projectID
            )
            let probe = TemplateProbe(context: context)
            for (path, template) in templates(of: receiver) {
                for name in probe.unknownNames(in: template) {
                    warn("receiver '\(receiver.name)' \(path): '\(name)' is not in the template context (it renders empty)",
                         line: template.line, column: template.column)
                }
            }
            if let bodyText = receiver.bodyText, receiver.body == nil, bodyText.escaping == .jsonString {
                let rendered = bodyText.render(context)
                if (try? JSONSerialization.jsonObject(with: Data(rendered.utf8), options: [.fragmentsAllowed])) == nil {
                    warn("receiver '\(receiver.name)' body_text: does not render to valid JSON for the sample event (content_type is \(receiver.contentType))",
                         line: bodyText.line, column: bodyText.column)
                }
            }
            if !receiver.preset.sendsMessage, let text = receiver.text, receiver.body == nil, receiver.bodyText == nil {
                warn("receiver '\(receiver.name)' text: only presets use text; this receiver sends the event document",
                     line: text.line, column: text.column)
            }
        }
        for rule in config.rules {
            for regex in rule.expressions {
                guard let risk = RegexRisk.warning(for: regex.pattern) else { continue }
                warn("\(regex.origin.path): \(risk); a match that takes over \(BoundedRegex.matchLimit) steps counts as no match",
                     line: regex.origin.line, column: regex.origin.column)
            }
        }
        return warnings.sorted { ($0.line, $0.column) < ($1.line, $1.column) }
    }

    static func templates(of receiver: Receiver) -> [(String, Template)] {
        var out: [(String, Template)] = receiver.headers.map { ("headers.\($0.name)", $0.value) }
        out += (receiver.body?.templates ?? []).map { ($0.path.isEmpty ? "body" : "body.\($0.path)", $0.template) }
        if let bodyText = receiver.bodyText { out.append(("body_text", bodyText)) }
        if let text = receiver.text { out.append(("text", text)) }
        if let title = receiver.title { out.append(("title", title)) }
        return out
    }
}
