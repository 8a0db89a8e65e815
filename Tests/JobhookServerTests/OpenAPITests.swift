import CurlHTTP
import Foundation
import HTTPTypes
import JobhookServer
import Testing

/// The OpenAPI document against the code: the bundled file (the source of truth) and the
/// `docs/` copy are the same bytes, and its operations are exactly `APIRoute.all`.
@Suite("OpenAPI document")
struct OpenAPITests {
    typealias H = APITestHarness

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let operationKeys: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    static func document() throws -> [String: Any] {
        let text = try #require(OpenAPIDocument.text, "the resource bundle has no openapi.json")
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func docsCopyIsByteIdenticalToTheBundledDocument() throws {
        let bundled = try Data(contentsOf: Self.repository.appendingPathComponent("Sources/JobhookCore/Resources/openapi.json"))
        let docs = try Data(contentsOf: Self.repository.appendingPathComponent("docs/openapi.json"))
        #expect(bundled == docs, "docs/openapi.json differs: cp Sources/JobhookCore/Resources/openapi.json docs/openapi.json")
        #expect(OpenAPIDocument.text.map { Data($0.utf8) } == bundled)
    }

    @Test func documentOperationsAreExactlyTheRouteTable() throws {
        let document = try Self.document()
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var documented: Set<String> = []
        for (path, item) in paths {
            for key in item.keys where Self.operationKeys.contains(key) {
                documented.insert("\(key.uppercased()) \(path)")
            }
        }
        let served = Set(APIRoute.all.flatMap { route in route.methods.map { "\($0.rawValue) \(route.path)" } })
        #expect(documented == served, "only documented: \(documented.subtracting(served).sorted()); only served: \(served.subtracting(documented).sorted())")
    }

    @Test func bearerSecurityIsDocumentedExactlyWhereTheTokenIsNeeded() throws {
        let paths = try #require(try Self.document()["paths"] as? [String: [String: Any]])
        for route in APIRoute.all {
            for method in route.methods {
                let operation = try #require(paths[route.path]?[method.rawValue.lowercased()] as? [String: Any])
                let security = operation["security"] as? [[String: [String]]]
                #expect((security == [["bearer": []]]) == route.needsToken, "\(method.rawValue) \(route.path)")
                let responses = try #require(operation["responses"] as? [String: Any])
                #expect((responses["401"] != nil) == route.needsToken, "\(method.rawValue) \(route.path)")
            }
        }
    }

    @Test func documentIsServedWithoutTheToken() async throws {
        try await H.run(token: "s3cret") { api in
            let response = try await api.client.send(CurlHTTP.HTTPRequest(url: api.base + "/openapi.json"))
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "application/json; charset=utf-8")
            #expect(String(decoding: response.body, as: UTF8.self) == OpenAPIDocument.text)
        }
    }

    @Test(arguments: ["/v1/watches", "//v1/watches", "/v1//watches", "///-/reload", "/v1/nope", "//v1"])
    func everyPathTheRouterTakesForV1NeedsTheToken(path: String) async throws {
        #expect(APIRoute.needsToken(path: path))
        try await H.run(token: "s3cret") { api in
            let method = path.hasSuffix("reload") ? "POST" : "GET"
            let response = try await api.client.send(CurlHTTP.HTTPRequest(method: method, url: api.base + path))
            #expect(response.status == 401, "\(method) \(path)")
        }
    }
}
