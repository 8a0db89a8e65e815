public import HTTPTypes

/// One route of the HTTP API: its path (Hummingbird and OpenAPI spell `{parameters}` alike), the
/// methods it serves and whether it sits behind `server.token` (by path, see `needsToken(path:)`).
///
/// `APIRoute.all` is the one list of what the API serves: the handlers are registered from it, every
/// other method on its paths is refused with 405 from it, and the tests hold `docs/openapi.json`
/// against it. A new route is a new row here first.
public struct APIRoute: Sendable, Hashable, CustomStringConvertible {
    public var path: String
    /// The methods with a handler, as listed in the OpenAPI document. HEAD (on GET routes) and
    /// OPTIONS are answered too, derived from these: see `allowed`.
    public var methods: [HTTPRequest.Method]

    public init(_ path: String, _ methods: [HTTPRequest.Method]) {
        self.path = path
        self.methods = methods
    }

    /// Needs `Authorization: Bearer <server.token>` when a token is configured.
    public var needsToken: Bool { Self.needsToken(path: path) }

    /// The token rule goes by the first path segment, not by table row, so an unknown path under
    /// `/v1/` is a 401 too: without the token a client learns nothing about the routes there.
    /// Segments, not a string prefix: Hummingbird's router skips empty segments, so `//v1/watches`
    /// reaches the `/v1/watches` handler and must need the token as well.
    /// Probes, `/metrics` and `/openapi.json` stay open, as Kubernetes and Prometheus expect.
    public static func needsToken(path: String) -> Bool {
        let first = path.split(separator: "/", omittingEmptySubsequences: true).first
        return first == "v1" || first == "-"
    }

    public var description: String { "\(methods.map(\.rawValue).joined(separator: ",")) \(path)" }

    public static let healthz = APIRoute("/healthz", [.get])
    public static let readyz = APIRoute("/readyz", [.get])
    public static let metrics = APIRoute("/metrics", [.get])
    public static let openAPI = APIRoute("/openapi.json", [.get])
    public static let reload = APIRoute("/-/reload", [.post])
    public static let watches = APIRoute("/v1/watches", [.get, .post])
    public static let watch = APIRoute("/v1/watches/{job_id}", [.get, .delete])
    public static let deliveries = APIRoute("/v1/deliveries", [.get])
    public static let retryDelivery = APIRoute("/v1/deliveries/{id}/retry", [.post])
    public static let silences = APIRoute("/v1/silences", [.get, .post])
    public static let silence = APIRoute("/v1/silences/{id}", [.delete])

    public static let all: [APIRoute] = [
        healthz, readyz, metrics, openAPI, reload, watches, watch, deliveries, retryDelivery, silences, silence,
    ]

    /// Every method a client may use here, for `Allow`: the route's own, HEAD wherever GET is
    /// (RFC 9110 §9.3.2: a GET resource answers HEAD alike, without the body) and OPTIONS.
    public var allowed: [HTTPRequest.Method] {
        var allowed: [HTTPRequest.Method] = []
        for method in methods {
            allowed.append(method)
            if method == .get { allowed.append(.head) }
        }
        return allowed + [.options]
    }

    /// The `Allow` header value, e.g. `GET, HEAD, POST, OPTIONS`.
    public var allow: String { allowed.map(\.rawValue).joined(separator: ", ") }

    /// The methods answered 405 on a known path: RFC 9110's and QUERY (the safe method with a body,
    /// which llhttp parses and schemathesis probes). Methods outside this list (PROPFIND, CONNECT…)
    /// are answered 501 on any path: the server implements none of them.
    public static let refusable: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete, .trace, query]
    static let query = HTTPRequest.Method("QUERY")!
}
