/// Feishu / Lark custom bot: a plain text message, or an interactive card (lark_md text under a
/// coloured header) when there is a title — always for the default message.
enum FeishuPreset {
    /// The documented body limit is 20 KB; leave room for the `timestamp` and `sign` fields that
    /// signing adds on every attempt.
    static let bodyLimit = 20 * 1024 - 128

    static func body(_ message: PresetMessage) -> String {
        let text = Truncation.fit(message.text) { render(message, text: $0).utf8.count <= bodyLimit }
        return render(message, text: text)
    }

    static func render(_ message: PresetMessage, text: String) -> String {
        guard let title = message.title, !title.isEmpty else {
            return JSONText.object([("msg_type", JSONText.quote("text")), ("content", JSONText.object([("text", JSONText.quote(text))]))])
        }
        let header = JSONText.object([
            ("title", JSONText.object([("tag", JSONText.quote("plain_text")), ("content", JSONText.quote(String(title.prefix(100))))])),
            ("template", JSONText.quote(color(message))),
        ])
        let div = JSONText.object([
            ("tag", JSONText.quote("div")),
            ("text", JSONText.object([("tag", JSONText.quote("lark_md")), ("content", JSONText.quote(text))])),
        ])
        let card = JSONText.object([
            ("config", #"{"wide_screen_mode":true}"#), ("header", header), ("elements", "[" + div + "]"),
        ])
        return JSONText.object([("msg_type", JSONText.quote("interactive")), ("card", card)])
    }

    static func color(_ message: PresetMessage) -> String {
        message.isFailure ? "red" : message.isSuccess ? "green" : "blue"
    }
}
