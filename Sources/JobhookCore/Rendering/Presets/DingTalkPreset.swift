/// DingTalk custom robot: a markdown message (the title is what the notification preview shows).
enum DingTalkPreset {
    /// DingTalk documents about 20000 bytes for a message.
    static let textLimit = 20000

    static func body(_ message: PresetMessage) -> String {
        let title = message.title.flatMap { $0.isEmpty ? nil : $0 } ?? firstLine(message.text)
        let markdown = JSONText.object([
            ("title", JSONText.quote(String(title.prefix(64)))),
            ("text", JSONText.quote(Truncation.utf8(message.text, limit: textLimit))),
        ])
        return JSONText.object([("msgtype", JSONText.quote("markdown")), ("markdown", markdown)])
    }

    /// The first line without markdown markers, for the preview title.
    static func firstLine(_ text: String) -> String {
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return String(String(line.filter { $0 != "#" && $0 != "*" && $0 != "`" }).trimmingSpaces)
    }
}
