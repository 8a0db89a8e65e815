/// The default message of each preset, kept as resource files (`Resources/presets/<name>.md`,
/// `title.txt`) so wording and formatting change without touching code. A binary copied without its
/// resource bundle still sends a useful line instead of crashing.
enum PresetTemplates {
    static let fallbackText = "CCE {{job.type}} {{job.resource_name}} {{#event.from}}{{event.from}} -> {{/event.from}}{{event.to}}{{#job.reason}}: {{job.reason}}{{/job.reason}} (job {{root.id}})"
    static let fallbackTitle = "CCE {{root.type}} {{root.resource_name}}: {{event.to}}"

    static func text(for preset: any Preset) -> Template {
        texts[preset.name] ?? load(preset.name, extension: "md", fallback: fallbackText)
    }

    static let title: Template = load("title", extension: "txt", fallback: fallbackTitle)

    /// Parsed once, for every registered preset that sends a message.
    private static let texts: [String: Template] = {
        var templates: [String: Template] = [:]
        for preset in PresetRegistry.all where preset.sendsMessage {
            templates[preset.name] = load(preset.name, extension: "md", fallback: fallbackText)
        }
        return templates
    }()

    /// The resource's template, trailing newline dropped; the fallback when it is missing or broken.
    private static func load(_ name: String, extension ext: String, fallback: String) -> Template {
        if let source = BundledResource.text(name, extension: ext, subdirectory: "presets"),
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
