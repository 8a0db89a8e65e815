public import Foundation

/// Text files shipped in the JobhookCore resource bundle (the demo's config, preset templates).
public enum BundledResource {
    /// The file's text; nil when the bundle is missing (a binary copied without its
    /// `jobhook_JobhookCore.resources` folder) or the file is not in it.
    public static func text(_ name: String, extension ext: String) -> String? {
        guard let url = bundle?.url(forResource: name, withExtension: ext) else { return nil }
        return try? String(contentsOf: url, encoding: .utf8)
    }

    /// `Bundle.module` traps when the bundle is missing; look for it ourselves so a relocated binary
    /// reports a missing file instead of crashing.
    private static let bundle: Bundle? = {
        let name = "jobhook_JobhookCore.resources"
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
        let candidates = [
            Bundle.main.bundleURL.appendingPathComponent(name),
            executable.appendingPathComponent(name),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent(name),
        ]
        for url in candidates where FileManager.default.fileExists(atPath: url.path) {
            if let bundle = Bundle(url: url) { return bundle }
        }
        return nil
    }()
}
