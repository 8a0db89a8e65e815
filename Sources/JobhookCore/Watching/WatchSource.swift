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

extension WatchSource {
    /// One job named by a person or pushed by SMN is polled at once; jobs that arrive in bulk (the
    /// config at start-up, a listing) are spread over `poll.firstPollSpread` so they do not all ask at
    /// the same instant.
    public var pollsAtOnce: Bool {
        switch self {
        case .api, .cli, .smn: true
        case .config, .discovery: false
        }
    }
}
