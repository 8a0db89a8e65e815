/// jobhook's version: `User-Agent: jobhook/VERSION` on every request and `jobhook --version`.
public enum JobhookVersion {
    public static let current = "0.1.0"
}
