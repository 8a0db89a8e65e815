/// jobhook's own JSON event, sent by a generic receiver with neither `body` nor `body_text`.
/// Versioned so consumers can rely on its shape: `{"version":"1","event":…,"job":…,"root":…,"parent":…,"rule":…,"cce":…}`
/// (`parent` only for sub-jobs) with the same fields as the template context. `cce` (name, region,
/// project_id) came with several accounts; adding a key keeps version 1.
enum EventDocument {
    static let version = "1"

    static func render(_ context: TemplateContext) -> String {
        var fields: [(String, String)] = [("version", JSONText.quote(version))]
        for name in ["event", "job", "root", "parent", "rule", "cce"] {
            if let value = context[name] { fields.append((name, JSONText.encode(value))) }
        }
        return JSONText.object(fields)
    }
}
