import HTTPTypes
import Hummingbird
import JobhookCore
import Logging
import NIOHTTP1

/// Every failure leaves as `{"error": "…"}`: Hummingbird's own (unknown route, body too large) are
/// re-worded, store errors are 500s that name the file, anything else is a 500 without internals.
/// A method the API implements nowhere (PROPFIND, CONNECT…) is 501, as RFC 9110 §15.6.2 asks.
/// Broken framing inside a body (a bad chunk size) reaches a handler as the body read's error:
/// the client's fault, so a 400 that closes the connection, not a 500 logged as ours.
struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch let error as StoreError {
            context.logger.error("state store failed", metadata: ["error": "\(error)"])
            return JSONResponse.make(status: .internalServerError, ErrorBody(error: error.description))
        } catch let error as HTTPParserError {
            context.logger.debug("malformed request", metadata: ["error": "\(error)"])
            var response = JSONResponse.make(status: .badRequest, ErrorBody(error: "malformed HTTP request: \(error)"))
            response.headers[.connection] = "close"
            return response
        } catch let error as any HTTPResponseError {
            if error.status == .notFound, request.method != .options, !APIRoute.refusable.contains(request.method) {
                return JSONResponse.make(status: .notImplemented, ErrorBody(error: "the method \(request.method.rawValue) is not implemented"))
            }
            return JSONResponse.make(status: error.status, ErrorBody(error: Self.wording(error.status, path: request.uri.path)))
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(error)"])
            return JSONResponse.make(status: .internalServerError, ErrorBody(error: "internal error"))
        }
    }

    static func wording(_ status: HTTPResponse.Status, path: String) -> String {
        switch status {
        case .notFound: "no such route: \(path)"
        case .contentTooLarge: APIServer.tooLargeMessage
        default: status.reasonPhrase.lowercased()
        }
    }
}
