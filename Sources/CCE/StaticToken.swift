public import CurlHTTP
import Foundation

/// An IAM token given as is (config `auth.token`), sent as `X-Auth-Token`. It expires after 24 h;
/// jobhook cannot renew it, so a 401 is final.
public struct StaticToken: RequestSigner {
    private let token: Secret

    public init(_ token: Secret) {
        self.token = token
    }

    public func sign(_ request: inout HTTPRequest, projectID: String) async throws(CCEError) {
        let value = token.reveal.trimmingWhitespace()
        guard !value.isEmpty else { throw CCEError(.credentials, message: "the configured CCE token is empty") }
        request.setHeader("X-Auth-Token", value)
    }
}

extension HTTPRequest {
    /// Replaces every header of that name (case-insensitively) by one.
    mutating func setHeader(_ name: String, _ value: String) {
        headers.removeAll { $0.name.caseInsensitiveCompare(name) == .orderedSame }
        headers.append(HTTPHeader(name, value))
    }
}
