import Foundation

/// Text files shipped in the JobhookCore resource bundle (the demo's config, preset templates).
public enum BundledResource {
    /// The file's text; nil when the bundle is missing (a binary copied without its
    /// `jobhook_JobhookCore.resources` folder) or the file is not in it. `subdirectory` is inside
    /// `Resources/` (`presets` for `Resources/presets/feishu.md`).
    public static func text(_ name: String, extension ext: String, subdirectory: String? = nil) -> String? {
        guard let bundle = bundleURL else { return nil }
        let file = "\(name).\(ext)"
        let relative = [subdirectory, file].compactMap { $0 }.joined(separator: "/")
        // `.copy("Resources")` keeps the folder itself inside the bundle; an SwiftPM `.process` layout
        // (or a hand-made bundle) would put files at the top: try both.
        for candidate in ["Resources/" + relative, relative, file] {
            let url = bundle.appendingPathComponent(candidate)
            if let text = try? String(contentsOf: url, encoding: .utf8) { return text }
        }
        return nil
    }

    /// `Bundle.module` traps when the bundle is missing; look for it ourselves so a relocated binary
    /// reports a missing file instead of crashing.
    private static let bundleURL: URL? = {
        let name = "jobhook_JobhookCore.resources"
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
        let candidates = [
            Bundle.main.bundleURL.appendingPathComponent(name),
            executable.appendingPathComponent(name),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent(name),
        ] + Bundle.allBundles.map { $0.bundleURL.appendingPathComponent(name) }
        var isDirectory: ObjCBool = false
        return candidates.first { FileManager.default.fileExists(atPath: $0.path, isDirectory: &isDirectory) && isDirectory.boolValue }
    }()
}
