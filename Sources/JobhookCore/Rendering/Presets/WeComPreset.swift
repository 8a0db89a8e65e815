/// WeCom (企业微信) group robot: a markdown message. WeCom rejects markdown over 4096 bytes (UTF-8),
/// so longer text is cut on a character boundary with a marker.
enum WeComPreset {
    static let contentLimit = 4096

    static func body(_ message: PresetMessage) -> String {
        var text = message.text
        if let title = message.title, !title.isEmpty { text = "### \(title)\n" + text }
        let markdown = JSONText.object([("content", JSONText.quote(Truncation.utf8(text, limit: contentLimit)))])
        return JSONText.object([("msgtype", JSONText.quote("markdown")), ("markdown", markdown)])
    }
}
