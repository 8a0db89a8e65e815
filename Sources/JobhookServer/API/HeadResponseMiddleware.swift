import Hummingbird

/// A HEAD answer carries the headers only, whatever produced it: the GET handler (through the
/// router's `.autoGenerateHeadEndpoints`), a 405 or a 401. A body after a HEAD answer would be read
/// by the client as the start of the next response on the connection.
struct HeadResponseMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response = try await next(request, context)
        return request.method == .head ? response.createHeadResponse() : response
    }
}
