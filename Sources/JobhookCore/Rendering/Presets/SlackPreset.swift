/// Slack incoming webhook: Block Kit (an optional header and mrkdwn sections) plus the top-level
/// `text`, which Slack shows in notifications and where blocks cannot render.
enum SlackPreset {
    /// Slack's limit on one section's text.
    static let sectionLimit = 3000
    static let headerLimit = 150

    static func body(_ message: PresetMessage) -> String {
        let text = Truncation.utf16(message.text, limit: sectionLimit)
        var blocks: [String] = []
        var fallback = text
        if let title = message.title, !title.isEmpty {
            let plain = JSONText.object([("type", JSONText.quote("plain_text")), ("text", JSONText.quote(Truncation.utf16(title, limit: headerLimit)))])
            blocks.append(JSONText.object([("type", JSONText.quote("header")), ("text", plain)]))
            fallback = title
        }
        let mrkdwn = JSONText.object([("type", JSONText.quote("mrkdwn")), ("text", JSONText.quote(text))])
        blocks.append(JSONText.object([("type", JSONText.quote("section")), ("text", mrkdwn)]))
        return JSONText.object([("text", JSONText.quote(fallback)), ("blocks", "[" + blocks.joined(separator: ",") + "]")])
    }
}
