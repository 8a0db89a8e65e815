import Foundation
import HTTPTypes
import Hummingbird

/// Answers in the shapes real CCE and its API gateway use, each with an `X-Request-Id`, so the client's
/// error handling is exercised against what it will meet.
enum SimulatorResponse {
    static let requestIDHeader = HTTPField.Name("X-Request-Id")!
    static let subjectTokenHeader = HTTPField.Name("X-Subject-Token")!

    static func json(_ status: HTTPResponse.Status, _ body: ByteBuffer, requestID: String,
                     contentType: String = "application/json", extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.contentType: contentType, requestIDHeader: requestID]
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }

    static func json(_ status: HTTPResponse.Status, object: [String: String], requestID: String,
                     extra: HTTPFields = [:]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return json(status, ByteBuffer(bytes: data), requestID: requestID, extra: extra)
    }

    /// The error body CCE or its gateway sends for `status`.
    static func error(_ status: Int, requestID: String, retryAfter: Duration? = nil, code: String? = nil,
                      message: String? = nil) -> Response {
        let httpStatus = HTTPResponse.Status(code: status)
        switch status {
        case 401:
            return json(httpStatus, object: [
                "error_code": code ?? "APIGW.0301",
                "error_msg": message ?? "Incorrect IAM authentication information: verify aksk signature fail",
                "request_id": requestID,
            ], requestID: requestID)
        case 429:
            let seconds = Int(((retryAfter ?? .seconds(5)) / .seconds(1)).rounded(.up))
            return json(httpStatus, object: [
                "error_code": "APIGW.0308", "error_msg": "The throttling threshold has been reached: policy user over ratelimit",
                "request_id": requestID,
            ], requestID: requestID, extra: [.retryAfter: String(max(1, seconds))])
        case 403:
            return json(httpStatus, object: ["errorCode": "CCE.01403001", "errorMessage": message ?? "Forbidden"],
                        requestID: requestID)
        case 404:
            return json(httpStatus, object: ["errorCode": "CCE.01404001",
                                             "errorMessage": message ?? "The resource could not be found."],
                        requestID: requestID)
        case 400..<500:
            return json(httpStatus, object: ["errorCode": "CCE.01400001", "errorMessage": message ?? "Invalid request."],
                        requestID: requestID)
        default:
            var extra: HTTPFields = [:]
            if let retryAfter { extra[.retryAfter] = String(max(1, Int((retryAfter / .seconds(1)).rounded(.up)))) }
            return json(httpStatus, object: ["errorCode": "CCE.01500001", "errorMessage": message ?? "Internal server error."],
                        requestID: requestID, extra: extra)
        }
    }

    /// A 200 whose body is a proxy's HTML page: what a captive portal or misrouted gateway returns.
    static func html(status: Int, requestID: String) -> Response {
        let page = "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"
        return json(HTTPResponse.Status(code: status), ByteBuffer(string: page), requestID: requestID,
                    contentType: "text/html; charset=utf-8")
    }

    /// The job document cut in the middle, sent as a complete 200 (Content-Length of the cut body).
    static func truncated(_ body: ByteBuffer, requestID: String) -> Response {
        let cut = body.getSlice(at: body.readerIndex, length: max(1, body.readableBytes / 2)) ?? body
        return json(.ok, cut, requestID: requestID)
    }
}
