/// Microsoft Teams through a Workflows (Power Automate) webhook: a message with one Adaptive Card.
/// TextBlocks render a markdown subset (bold, lists). Any 2xx is success (202 = accepted), so the
/// status rules are the whole answer.
struct Teams: Preset {
    let name = "teams"
    let hasTitle = true
    /// None documented; a 429 with `Retry-After` still slows us down.
    let defaultRateLimits: [RateLimit] = []
    let maxInFlight = 1

    /// Teams refuses cards over about 28 KB.
    static let bodyLimit = 27 * 1024

    func body(_ message: PresetMessage) -> String {
        let text = Truncation.fit(message.text) { Self.render(message, text: $0).utf8.count <= Self.bodyLimit }
        return Self.render(message, text: text)
    }

    static func render(_ message: PresetMessage, text: String) -> String {
        var blocks: [String] = []
        if let title = message.title, !title.isEmpty {
            var fields = [("type", #""TextBlock""#), ("text", JSONText.quote(title)), ("weight", #""Bolder""#), ("size", #""Medium""#)]
            if message.isFailure { fields.append(("color", #""Attention""#)) }
            if message.isSuccess { fields.append(("color", #""Good""#)) }
            fields.append(("wrap", "true"))
            blocks.append(JSONText.object(fields))
        }
        blocks.append(JSONText.object([("type", #""TextBlock""#), ("text", JSONText.quote(text)), ("wrap", "true")]))
        let card = JSONText.object([("type", #""AdaptiveCard""#), ("version", #""1.4""#), ("body", "[" + blocks.joined(separator: ",") + "]")])
        let attachment = JSONText.object([("contentType", #""application/vnd.microsoft.card.adaptive""#), ("content", card)])
        return JSONText.object([("type", #""message""#), ("attachments", "[" + attachment + "]")])
    }
}
