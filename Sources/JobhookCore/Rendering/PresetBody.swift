/// A preset receiver's body: the message text (the receiver's `text`, or the preset's default
/// template) in the vendor's JSON shape, cut to the vendor's size limit. One file per vendor in
/// `Presets/`.
enum PresetBody {
    /// Renders `receiver`'s message against the template context `object` (the Mustache object of a
    /// `TemplateContext`).
    static func render(receiver: Receiver, object: Any) -> String {
        let text: String
        var title = receiver.title?.render(object: object)
        if let template = receiver.text {
            text = template.render(object: object)
        } else {
            text = PresetTemplates.text(for: receiver.preset).render(object: withFailureFlag(object))
            if title == nil, PresetTemplates.titled.contains(receiver.preset) {
                title = PresetTemplates.title.render(object: object)
            }
        }
        return render(receiver.preset, text: text, title: title, phase: phase(in: object))
    }

    static func render(_ preset: Receiver.Preset, text: String, title: String?, phase: String = "") -> String {
        let message = PresetMessage(text: text, title: title, phase: phase)
        return switch preset {
        case .feishu: FeishuPreset.body(message)
        case .dingtalk: DingTalkPreset.body(message)
        case .wecom: WeComPreset.body(message)
        case .slack: SlackPreset.body(message)
        case .teams: TeamsPreset.body(message)
        case .discord: DiscordPreset.body(message)
        case .generic: JSONText.object([("text", JSONText.quote(text))])
        }
    }

    static func phase(in object: Any) -> String {
        ((object as? [String: Any])?["event"] as? [String: Any])?["to"] as? String ?? ""
    }

    /// Built-in templates may colour by outcome: `event.failed` is true for Failed and Timeout.
    static func withFailureFlag(_ object: Any) -> Any {
        guard var top = object as? [String: Any], var event = top["event"] as? [String: Any] else { return object }
        let to = event["to"] as? String
        event["failed"] = to == "Failed" || to == "Timeout"
        top["event"] = event
        return top
    }
}
