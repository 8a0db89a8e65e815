public import CurlHTTP
public import Foundation

/// One chat vendor's rules, all in one file under `Presets/`: the body it accepts, the size it
/// refuses, how it checks a `secret`, how it says "delivered" or "slow down", and how fast it may be
/// called. `PresetRegistry` lists them; nothing else knows one vendor from another.
public protocol Preset: Sendable {
    /// The `preset:` value in rules.yaml.
    var name: String { get }
    /// False for plain webhooks: they get jobhook's event document, and `text:` is not used.
    var sendsMessage: Bool { get }
    /// The body has a title slot (card header, preview title) that the default title fills; other
    /// vendors get their heading from the text template.
    var hasTitle: Bool { get }
    /// The vendor's JSON for `message`, cut to the vendor's size limit: vendors reject an oversized
    /// message outright, and a cut alert beats a lost one.
    func body(_ message: PresetMessage) -> String
    /// Whether `secret:` is allowed: the vendor checks its own signature.
    var signsWithSecret: Bool { get }
    /// Signs one attempt with that attempt's time: vendors refuse timestamps over an hour old, so a
    /// retry after an outage must not reuse a stored signature.
    func sign(_ request: inout HTTPRequest, secret: String, now: Date)
    /// The vendor's verdict on an answer; several answer 200 on failure and put it in the body.
    func classify(_ response: HTTPResponse, now: Date) -> Outcome
    /// The vendor's documented limits, used when `rate_limit` is not set: going over them gets
    /// messages refused.
    var defaultRateLimits: [RateLimit] { get }
    /// Attempts in flight at once per receiver.
    var maxInFlight: Int { get }
}

extension Preset {
    public var sendsMessage: Bool { true }
    public var signsWithSecret: Bool { false }
    public func sign(_ request: inout HTTPRequest, secret: String, now: Date) {}
    /// Status rules only (2xx delivered, 429 and 5xx retried, other 4xx permanent).
    public func classify(_ response: HTTPResponse, now: Date) -> Outcome { Outcome.classify(response, now: now) }
}
