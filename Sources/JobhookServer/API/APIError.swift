public import HTTPTypes
public import Hummingbird
import Foundation

/// An HTTP API failure as the client sees it: a status and `{"error": "…"}`.
public struct APIError: Error, Sendable, HTTPResponseError, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var message: String
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.headers = headers
    }

    public var description: String { "\(status.code) \(message)" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = JSONResponse.make(status: status, ErrorBody(error: message))
        response.headers.append(contentsOf: headers)
        return response
    }
}

struct ErrorBody: Encodable {
    var error: String
}

/// JSON responses written with one encoder setup: snake_case keys are spelled out in the bodies,
/// dates are RFC 3339.
enum JSONResponse {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    static func make(status: HTTPResponse.Status, _ value: some Encodable) -> Response {
        var data = (try? encoder.encode(value)) ?? Data(#"{"error":"response could not be encoded"}"#.utf8)
        data.append(0x0A)
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data))
        )
    }
}
