/// One CCE account jobhook polls: where, with which credentials, and what it discovers. `cce:` as
/// a mapping is one account named `default`; as a list, several, each with its own poller, rate
/// limits and credential gate (a locked key in one never stops another), all feeding one pipeline.
public struct CCEAccount: Sendable {
    public var name: String
    public var cce: CCESettings
    /// The account's own `discover:`; nil: the top-level one applies (`Config.discover(for:)`).
    public var discover: DiscoverSettings?
    /// The account's `watch: {jobs: […]}` (with several accounts; the single form uses `watch.jobs`).
    public var watchJobs: [String]

    public static let defaultName = "default"

    public init(name: String = CCEAccount.defaultName, cce: CCESettings, discover: DiscoverSettings? = nil, watchJobs: [String] = []) {
        self.name = name
        self.cce = cce
        self.discover = discover
        self.watchJobs = watchJobs
    }

    /// Letters, digits, `-`, `_`, `.`; 1-64 characters: it appears in metrics, logs and the API.
    static func problem(_ name: String) -> String? {
        guard !name.isEmpty, name.count <= 64 else { return "an account name has 1 to 64 characters" }
        let allowed = name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0) }
        return allowed ? nil : "an account name may contain letters, digits, '-', '_' and '.' only"
    }
}
