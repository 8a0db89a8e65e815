import CurlHTTP
import Foundation
import HTTPTypes
import JobhookServer
import Testing

/// The route table on the wire: what `APIRoute.all` lists is served, and every other method on its
/// paths gets an answer a client can act on (405 + Allow, 204 for OPTIONS, HEAD like GET).
@Suite("HTTP API routes")
struct APIRouteTests {
    typealias H = APITestHarness

    /// A concrete path for a route: `{parameters}` filled with a value that names nothing.
    static func concrete(_ route: APIRoute) -> String {
        route.path.replacingOccurrences(of: "{job_id}", with: "job-1").replacingOccurrences(of: "{id}", with: "evt_1")
    }

    @Test func everyMethodOfTheTableReachesItsHandler() async throws {
        try await H.run { api in
            for route in APIRoute.all {
                for method in route.methods {
                    let json = method == .post && route == .watches ? #"{"job_id": "job-1"}"# : nil
                    let response = try await api.send(method.rawValue, Self.concrete(route), json: json)
                    #expect(response.status != 405, "\(method.rawValue) \(route.path)")
                    if response.status == 404 {
                        // The handler's own 404 (unknown job, reloading off), never the router's.
                        #expect(try H.object(response)["error"] as? String != "no such route: \(Self.concrete(route))", "\(method.rawValue) \(route.path)")
                    }
                }
            }
        }
    }

    @Test func everyOtherMethodIs405WithAllowAndAJSONError() async throws {
        try await H.run { api in
            for route in APIRoute.all {
                for method in APIRoute.refusable where !route.allowed.contains(method) {
                    let response = try await api.send(method.rawValue, Self.concrete(route))
                    #expect(response.status == 405, "\(method.rawValue) \(route.path)")
                    #expect(response.header("Allow") == route.allow, "\(method.rawValue) \(route.path)")
                    if method == .head {
                        #expect(response.body.isEmpty, "\(route.path)")
                    } else {
                        #expect(try H.object(response)["error"] is String, "\(method.rawValue) \(route.path)")
                    }
                }
            }
            #expect(APIRoute.watches.allow == "GET, HEAD, POST, OPTIONS")
            #expect(APIRoute.reload.allow == "POST, OPTIONS")
        }
    }

    @Test func optionsIs204WithAllow() async throws {
        try await H.run { api in
            for route in APIRoute.all {
                let response = try await api.send("OPTIONS", Self.concrete(route))
                #expect(response.status == 204, "\(route.path)")
                #expect(response.header("Allow") == route.allow, "\(route.path)")
                #expect(response.body.isEmpty)
            }
        }
    }

    @Test func headOnAGetRouteAnswersLikeGetWithoutTheBody() async throws {
        try await H.run { api in
            for path in ["/healthz", "/readyz", "/metrics", "/v1/watches", "/openapi.json"] {
                let get = try await api.send("GET", path)
                let head = try await api.send("HEAD", path)
                #expect(head.status == get.status, "\(path)")
                #expect(head.header("Content-Type") == get.header("Content-Type"), "\(path)")
                #expect(head.header("Content-Length") == String(get.body.count), "\(path)")
                #expect(head.body.isEmpty, "\(path)")
            }
            #expect(try await api.send("HEAD", "/v1/watches/never-seen").status == 404)
            // The connection stays usable after HEAD answers: no stray body was sent.
            #expect(try await api.send("GET", "/healthz").status == 200)
        }
    }

    @Test func headWhereThereIsNoGetIs405WithoutABody() async throws {
        try await H.run { api in
            let response = try await api.send("HEAD", "/-/reload")
            #expect(response.status == 405)
            #expect(response.header("Allow") == "POST, OPTIONS")
            #expect(response.body.isEmpty)
        }
    }

    /// Found by scripts/api-fuzz: QUERY (parsed by llhttp) fell through to 501, a 5xx for a
    /// plain client mistake.
    @Test func queryOnAKnownPathIs405NotA5xx() async throws {
        try await H.run { api in
            let response = try await api.send("QUERY", "/v1/watches")
            #expect(response.status == 405)
            #expect(response.header("Allow") == "GET, HEAD, POST, OPTIONS")
        }
    }

    @Test func aMethodImplementedNowhereIs501() async throws {
        try await H.run { api in
            for path in ["/v1/watches", "/nope"] {
                let response = try await api.send("PROPFIND", path)
                #expect(response.status == 501, "\(path)")
                #expect(try H.object(response)["error"] as? String == "the method PROPFIND is not implemented")
            }
        }
    }

    @Test func refusalsOnV1StillNeedTheToken() async throws {
        try await H.run(token: "s3cret") { api in
            for method in ["PUT", "OPTIONS", "PROPFIND"] {
                let response = try await api.client.send(CurlHTTP.HTTPRequest(method: method, url: api.base + "/v1/watches"))
                #expect(response.status == 401, "\(method)")
                #expect(!String(decoding: response.body, as: UTF8.self).contains("s3cret"))
            }
            #expect(try await api.send("PUT", "/v1/watches").status == 405)
        }
    }
}
