public import CurlHTTP
public import Foundation

extension CCEError {
    /// Builds the error for a non-2xx answer from Huawei Cloud: the code and message from whichever body
    /// shape arrived (CCE `errorCode`/`errorMessage`, gateway `error_code`/`error_msg`/`request_id`,
    /// plain `code`/`message`, IAM/Keystone `{"error":{"code","message"}}`), `X-Request-Id`, and
    /// `Retry-After` (seconds or an HTTP date, via CurlHTTP's `RetryAfter`). Messages are cut to one short line; non-JSON bodies
    /// are described, never quoted.
    public static func from(response: HTTPResponse, jobID: String?, now: Date = Date(), hints: Bool = true) -> CCEError {
        from(response: response, jobID: jobID, operation: nil, now: now, hintsFor: hints ? .showJob : nil)
    }

    /// The same for one of `CCEClient`'s calls: the error names the listing, and the hints speak of it.
    static func from(response: HTTPResponse, call: CCECall, now: Date) -> CCEError {
        from(response: response, jobID: call.jobID, operation: call.operation, now: now, hintsFor: call.kind)
    }

    private static func from(
        response: HTTPResponse, jobID: String?, operation: String?, now: Date, hintsFor kind: CCECall.Kind?
    ) -> CCEError {
        var code: String?
        var message: String?
        var requestID = response.header("X-Request-Id").map(oneLine)
        if let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any] {
            let nested = object["error"] as? [String: Any]
            code = text(object["errorCode"]) ?? text(object["error_code"]) ?? text(object["code"]) ?? text(nested?["code"])
            message = text(object["errorMessage"]) ?? text(object["error_msg"]) ?? text(object["message"])
                ?? text(nested?["message"])
            if requestID == nil { requestID = text(object["request_id"]) ?? text(object["requestId"]) }
        } else if !response.body.isEmpty {
            message = describeNonJSON(response.body)
        }
        var error = CCEError(
            .api(status: response.status), jobID: jobID, operation: operation, code: code.map(oneLine),
            message: message.map(oneLine) ?? "", requestID: requestID,
            retryAfter: response.retryAfter(now: now).map { min($0, maxRetryAfter) })
        if let kind, let hint = hint(status: response.status, code: error.code, call: kind) {
            error.message = error.message.isEmpty ? hint : error.message + " — " + hint
        }
        return error
    }

    /// A `Retry-After` beyond a day is a gateway's mistake, not a reason to stop polling for longer.
    static let maxRetryAfter = Duration.seconds(86_400)

    /// What a person should do next for the common refusals; 403 and 404 depend on what was asked.
    private static func hint(status: Int, code: String?, call: CCECall.Kind) -> String? {
        switch (status, code) {
        case (401, "APIGW.0303"?), (401, "APIG.0303"?):
            "the request signature is older than 15 minutes by the gateway's clock: sync the local clock"
        case (401, _): "check the credentials (repeated AK/SK failures lock the key for 5 minutes)"
        case (403, _): "the credentials lack the permission \(call.permission) for this project"
        case (404, _): call.notFoundHint
        case (429, _): "throttled by the API gateway"
        default: nil
        }
    }

    static func describeNonJSON(_ body: Data) -> String {
        let start = body.first { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }
        if start == UInt8(ascii: "<") { return "the answer is an HTML page (a proxy or gateway error page?)" }
        return "the answer is not JSON (\(body.count) bytes)"
    }

    private static func text(_ value: Any?) -> String? {
        switch value {
        case let string as String: string.isEmpty ? nil : string
        case let number as NSNumber: number.stringValue
        default: nil
        }
    }

    private static func oneLine(_ text: String) -> String {
        let flat = String(text.map { $0.isNewline || $0 == "\t" ? " " : $0 }).trimmingWhitespace()
        return flat.count > 300 ? String(flat.prefix(300)) + "…" : flat
    }
}
