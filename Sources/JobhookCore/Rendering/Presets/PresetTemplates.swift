/// The default message of each preset, kept as resource files (`Resources/presets/<preset>.md`,
/// `title.txt`) so wording and formatting change without touching code. A binary copied without its
/// resource bundle still sends a useful line instead of crashing.
enum PresetTemplates {
    static let fallbackText = "CCE {{job.type}} {{job.resource_name}} {{#event.from}}{{event.from}} -> {{/event.from}}{{event.to}}{{#job.reason}}: {{job.reason}}{{/job.reason}} (job {{root.id}})"
    static let fallbackTitle = "CCE {{root.type}} {{root.resource_name}}: {{event.to}}"

    /// Presets whose body has a title slot (card header, preview title); the others put their
    /// heading in the text template itself.
    static let titled: Set<Receiver.Preset> = [.feishu, .dingtalk, .slack, .teams]

    static func text(for preset: Receiver.Preset) -> Template {
        texts[preset] ?? fallback
    }

    static let title: Template = load("title", extension: "txt", fallback: fallbackTitle)

    private static let fallback = load(nil, extension: "md", fallback: fallbackText)

    private static let texts: [Receiver.Preset: Template] = {
        var templates: [Receiver.Preset: Template] = [:]
        for preset in Receiver.Preset.allCases where preset != .generic {
            templates[preset] = load(preset.rawValue, extension: "md", fallback: fallbackText)
        }
        return templates
    }()

    /// The resource's template, trailing newline dropped; the fallback when it is missing or broken.
    private static func load(_ name: String?, extension ext: String, fallback: String) -> Template {
        if let name, let source = BundledResource.text(name, extension: ext, subdirectory: "presets"),
           let template = try? Template(trimmingTrailingNewlines(source)) {
            return template
        }
        do {
            return try Template(fallback)
        } catch {
            fatalError("built-in template does not parse: \(error)")
        }
    }

    static func trimmingTrailingNewlines(_ text: String) -> String {
        var text = Substring(text)
        while text.last?.isNewline == true { text = text.dropLast() }
        return String(text)
    }
}
