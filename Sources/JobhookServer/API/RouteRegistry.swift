import HTTPTypes
import Hummingbird

/// Puts `APIRoute.all` on a Hummingbird router: a handler only for a method the table lists, then
/// for every path OPTIONS (204 + `Allow`) and 405 + `Allow` for the other methods.
///
/// Hummingbird on its own answers a known path with an unserved method as 404, HEAD and OPTIONS
/// included; HEAD on GET routes comes from the router's `.autoGenerateHeadEndpoints`, so it is not
/// registered here.
struct RouteRegistry {
    typealias Handler = @Sendable (Request, BasicRequestContext) async throws -> Response

    let router: Hummingbird.Router<BasicRequestContext>
    private var served: Set<String> = []

    init(router: Hummingbird.Router<BasicRequestContext>) {
        self.router = router
    }

    mutating func on(_ route: APIRoute, _ method: HTTPRequest.Method, _ handler: @escaping Handler) {
        precondition(route.methods.contains(method), "\(method.rawValue) \(route.path) is missing from APIRoute.all")
        served.insert("\(method.rawValue) \(route.path)")
        router.on(RouterPath(route.path), method: method, use: handler)
    }

    /// Call once, after every handler: a table row without a handler stops the server from starting
    /// (the route tests start one), rather than answering 404 for a documented route.
    func answerOtherMethods() {
        for route in APIRoute.all {
            for method in route.methods {
                precondition(served.contains("\(method.rawValue) \(route.path)"), "no handler for \(method.rawValue) \(route.path)")
            }
            let allow = route.allow
            let path = RouterPath(route.path)
            router.on(path, method: .options) { _, _ in
                Response(status: .noContent, headers: [.allow: allow])
            }
            for method in APIRoute.refusable where !route.allowed.contains(method) {
                router.on(path, method: method) { request, _ -> Response in
                    throw APIError(
                        .methodNotAllowed, "\(request.method.rawValue) is not allowed on \(route.path) (allowed: \(allow))",
                        headers: [.allow: allow]
                    )
                }
            }
        }
    }
}
