/// Where a watch came from. Every source goes through `WatchList.add`, so they all behave alike.
public enum WatchSource: String, Sendable, Hashable, CaseIterable {
    /// `watch.jobs` in rules.yaml (at start-up and on reload).
    case config
    /// `POST /v1/watches`.
    case api
    /// `jobhook watch JOB_ID…`.
    case cli
    /// Found by listing the project's jobs.
    case discovery
    /// Pushed by Cloud Trace Service through an SMN subscription.
    case smn
}

extension WatchSource {
    /// A person asking now (the API, `jobhook watch`) brings back a watch removed through the API;
    /// standing sources (the config at every start, discovery, push) never do, or a removal would
    /// last only until the next restart or listing.
    public var revivesRemoved: Bool {
        switch self {
        case .api, .cli: true
        case .config, .discovery, .smn: false
        }
    }
}
