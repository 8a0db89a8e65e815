public import CurlHTTP
public import Foundation

/// Adds credentials to a CCE request: a token header or an AK/SK signature. Implementations:
/// `StaticToken`, `TokenFile`, `AKSKSigner`, `IAMTokenSource`.
public protocol RequestSigner: Sendable {
    /// Called last, after every other header and the body are set: a signature covers them.
    func sign(_ request: inout HTTPRequest, projectID: String) async throws(CCEError)

    /// The gateway refused `request` with 401. Returns true when the signer now holds different
    /// credentials (a refreshed IAM token) so that one immediate retry can succeed; false when
    /// retrying would only repeat the failure (and, for AK/SK, risk locking the key).
    func reportAuthFailure(_ error: CCEError, for request: HTTPRequest) async -> Bool

    /// The gateway's `Date` header from any answer: signers whose credentials depend on the clock
    /// (AK/SK) warn when the local clock is off.
    func noteServerDate(_ serverDate: Date) async
}

extension RequestSigner {
    public func reportAuthFailure(_ error: CCEError, for request: HTTPRequest) async -> Bool { false }
    public func noteServerDate(_ serverDate: Date) async {}
}
