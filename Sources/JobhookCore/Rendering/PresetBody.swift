/// A preset receiver's body: the message text (the receiver's `text`, or the preset's default
/// template) and title, handed to the preset for its vendor's JSON shape and size limit.
enum PresetBody {
    /// Renders `receiver`'s message against the template context `object` (the Mustache object of a
    /// `TemplateContext`).
    static func render(receiver: Receiver, object: Any) -> String {
        let preset = receiver.preset
        let text: String
        var title = receiver.title?.render(object: object)
        if let template = receiver.text {
            text = template.render(object: object)
        } else {
            text = PresetTemplates.text(for: preset).render(object: withFailureFlag(object))
            if title == nil, preset.hasTitle {
                title = PresetTemplates.title.render(object: object)
            }
        }
        return preset.body(PresetMessage(text: text, title: title, phase: phase(in: object)))
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
