/// Discord webhook: `content` (at most 2000 characters) with every mention disabled, so a reason
/// quoting `@everyone` pings nobody.
enum DiscordPreset {
    static let contentLimit = 2000

    static func body(_ message: PresetMessage) -> String {
        var text = message.text
        if let title = message.title, !title.isEmpty { text = "**\(title)**\n" + text }
        return JSONText.object([
            ("content", JSONText.quote(Truncation.utf16(text, limit: contentLimit))), ("allowed_mentions", #"{"parse":[]}"#),
        ])
    }
}
