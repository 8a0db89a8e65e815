/// The simplest text message each chat target accepts (reference/delivery.md). One small function
/// per vendor so richer cards can replace them one at a time.
enum PresetBody {
    /// Used when a preset receiver has no `text`.
    static let defaultText: Template = {
        do {
            return try Template("CCE {{job.type}} {{job.resource_name}} {{event.from}} -> {{event.to}}{{#job.reason}}: {{job.reason}}{{/job.reason}} (job {{job.id}})")
        } catch {
            fatalError("built-in template does not parse: \(error)")
        }
    }()

    static func render(_ preset: Receiver.Preset, text: String, title: String?) -> String {
        switch preset {
        case .feishu: feishu(text)
        case .dingtalk, .wecom: dingtalkOrWeCom(text)
        case .slack: slack(text)
        case .teams: teams(text, title: title)
        case .discord: discord(text)
        case .generic: JSONText.object([("text", JSONText.quote(text))])
        }
    }

    static func feishu(_ text: String) -> String {
        JSONText.object([("msg_type", JSONText.quote("text")), ("content", JSONText.object([("text", JSONText.quote(text))]))])
    }

    static func dingtalkOrWeCom(_ text: String) -> String {
        JSONText.object([("msgtype", JSONText.quote("text")), ("text", JSONText.object([("content", JSONText.quote(text))]))])
    }

    static func slack(_ text: String) -> String {
        JSONText.object([("text", JSONText.quote(text))])
    }

    /// Discord: mentions in event text must never ping anyone.
    static func discord(_ text: String) -> String {
        JSONText.object([("content", JSONText.quote(String(text.prefix(2000)))), ("allowed_mentions", #"{"parse":[]}"#)])
    }

    static func teams(_ text: String, title: String?) -> String {
        var blocks: [String] = []
        if let title, !title.isEmpty {
            blocks.append(JSONText.object([("type", #""TextBlock""#), ("text", JSONText.quote(title)), ("weight", #""Bolder""#), ("wrap", "true")]))
        }
        blocks.append(JSONText.object([("type", #""TextBlock""#), ("text", JSONText.quote(text)), ("wrap", "true")]))
        let card = JSONText.object([("type", #""AdaptiveCard""#), ("version", #""1.4""#), ("body", "[" + blocks.joined(separator: ",") + "]")])
        let attachment = JSONText.object([("contentType", #""application/vnd.microsoft.card.adaptive""#), ("content", card)])
        return JSONText.object([("type", #""message""#), ("attachments", "[" + attachment + "]")])
    }
}
