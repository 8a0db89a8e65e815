import CCE
import Foundation
import HTTPTypes
import Hummingbird

/// Guards `/v1/*` and `/-/*` (`APIRoute.needsToken(path:)`) with `Authorization: Bearer <token>`
/// when a token is configured.
struct BearerAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    var token: Secret?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token, APIRoute.needsToken(path: request.uri.path) else {
            return try await next(request, context)
        }
        let presented = request.headers[.authorization].flatMap(Self.bearer)
        guard let presented, Self.constantTimeEqual(Array(presented.utf8), Array(token.reveal.utf8)) else {
            throw APIError(
                .unauthorized, presented == nil ? "missing bearer token (Authorization: Bearer <server.token>)" : "invalid bearer token",
                headers: [.wwwAuthenticate: "Bearer realm=\"jobhook\""]
            )
        }
        return try await next(request, context)
    }

    static func bearer(_ header: String) -> String? {
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return parts[1].trimmingCharacters(in: .whitespaces)
    }

    /// Time depends on the lengths only, never on where the first differing byte is.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference: UInt8 = a.count == b.count ? 0 : 1
        for index in 0..<max(a.count, b.count) {
            let x = index < a.count ? a[index] : 0
            let y = index < b.count ? b[index] : 0
            difference |= x ^ y
        }
        return difference == 0
    }
}
