public import CurlHTTP
import Foundation

/// An IAM token given as is (config `auth.token`), sent as `X-Auth-Token`. It expires after 24 h;
/// jobhook cannot renew it, so a 401 is final.
public struct StaticToken: RequestSigner {
    /// Trimmed once here, not on every poll.
    private let token: Secret

    public init(_ token: Secret) {
        self.token = Secret(token.reveal.trimmingWhitespace())
    }

    public func sign(_ request: inout HTTPRequest, projectID: String) async throws(CCEError) {
        guard !token.reveal.isEmpty else { throw CCEError(.credentials, message: "the configured CCE token is empty") }
        request.setHeader("X-Auth-Token", token.reveal)
    }
}

extension HTTPRequest {
    /// Replaces every header of that name (case-insensitively) by one.
    mutating func setHeader(_ name: String, _ value: String) {
        headers.removeAll { $0.isNamed(name) }
        headers.append(HTTPHeader(name, value))
    }
}
