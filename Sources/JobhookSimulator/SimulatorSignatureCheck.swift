import CCE
import CurlHTTP
import Foundation
import HTTPTypes
import Hummingbird

/// AK/SK verification for `auth: {aksk: …}`, answering the way the API gateway does.
enum SimulatorSignatureCheck {
    static func refusal(for request: Request, accessKey: String, secretKey: String, requestID: String) async -> Response? {
        var headers = request.headers.map { HTTPHeader($0.name.rawName, $0.value) }
        // HTTPTypes moves `Host` into the authority pseudo-header; the signature covers it as `host`.
        if let authority = request.head.authority { headers.append(HTTPHeader("Host", authority)) }
        var body = Data()
        if let buffer = try? await request.body.collect(upTo: 1 << 20) { body = Data(buffer.readableBytesView) }
        let verdict = SDKSignature.verdict(
            method: request.method.rawValue, path: request.uri.path, query: request.uri.query,
            headers: headers, body: body
        ) { $0 == accessKey ? secretKey : nil }
        switch verdict {
        case .valid:
            return nil
        case .expired:
            return SimulatorResponse.error(401, requestID: requestID, code: "APIGW.0303",
                                           message: "Incorrect app authentication information: signature expired")
        case .unknownAccessKey, .malformed, .mismatch:
            return SimulatorResponse.error(401, requestID: requestID,
                                           message: "Incorrect IAM authentication information: verify aksk signature fail")
        }
    }
}
