/// Every vendor `preset:` can name, one line each, in the order config errors list them. Adding a
/// vendor is a file beside this one and a line here.
public enum PresetRegistry {
    public static let all: [any Preset] = [
        Feishu(),
        DingTalk(),
        WeCom(),
        Slack(),
        Teams(),
        Discord(),
        Generic(),
    ]

    /// Receivers without `preset:` are plain webhooks.
    public static let generic: any Preset = Generic()

    public static var names: [String] { all.map(\.name) }

    public static func preset(named name: String) -> (any Preset)? {
        all.first { $0.name == name }
    }
}
