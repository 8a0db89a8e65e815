public import CurlHTTP
public import Foundation
public import Logging

/// AK/SK request signing (`SDK-HMAC-SHA256`) byte-for-byte as the official Huawei Cloud SDKs do it.
/// Signs exactly `Content-Type`, `Host`, `X-Sdk-Date`, `X-Project-Id` (when a project is given) and
/// `X-Security-Token` (temporary credentials). The date comes from `now` so tests are deterministic.
/// Never retries on 401: five failed signatures in a row lock the access key for five minutes.
public struct AKSKSigner: RequestSigner {
    private let accessKey: Secret
    private let secretKey: Secret
    private let securityToken: Secret?
    private let now: @Sendable () -> Date
    private let skewWatch: ClockSkewWatch

    public init(
        accessKey: Secret, secretKey: Secret, securityToken: Secret? = nil,
        logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.accessKey = accessKey
        self.secretKey = secretKey
        self.securityToken = securityToken.flatMap { $0.isEmpty ? nil : $0 }
        self.now = now
        self.skewWatch = ClockSkewWatch(logger: logger, now: now)
    }

    public func sign(_ request: inout HTTPRequest, projectID: String) async throws(CCEError) {
        try signNow(&request, projectID: projectID)
    }

    /// The synchronous core of `sign`, for tests and tools.
    public func signNow(_ request: inout HTTPRequest, projectID: String) throws(CCEError) {
        let ak = accessKey.reveal.trimmingWhitespace(), sk = secretKey.reveal.trimmingWhitespace()
        guard !ak.isEmpty, !sk.isEmpty else {
            throw CCEError(.credentials, message: "the access key or secret key is empty")
        }
        guard let target = URLParts(request.url) else {
            throw CCEError(.transport(.invalidURL), message: "cannot sign a request whose URL does not parse")
        }
        for name in ["Authorization", "X-Sdk-Date", "Host", "X-Project-Id", "X-Security-Token"] {
            request.headers.removeAll { $0.isNamed(name) }
        }
        if request.header("Content-Type") == nil { request.headers.append(HTTPHeader("Content-Type", "application/json")) }
        let sdkDate = SDKSignature.sdkDate(now())
        var signed = [
            HTTPHeader("Host", target.authority),
            HTTPHeader("X-Sdk-Date", sdkDate),
        ]
        if !projectID.isEmpty { signed.append(HTTPHeader("X-Project-Id", projectID)) }
        if let securityToken { signed.append(HTTPHeader("X-Security-Token", securityToken.reveal)) }
        request.headers += signed

        let names = SDKSignature.signedHeaderNames(
            signed + request.headers.filter { $0.isNamed("Content-Type") })
        guard let canonical = SDKSignature.canonicalRequest(
            method: request.method, path: target.path, query: target.query, headers: request.headers,
            signedHeaders: names, body: request.body ?? Data())
        else { throw CCEError(.credentials, message: "a header to sign is missing") }
        let signature = SDKSignature.signature(
            stringToSign: SDKSignature.stringToSign(canonicalRequest: canonical, sdkDate: sdkDate), secretKey: sk)
        request.headers.append(HTTPHeader(
            "Authorization", SDKSignature.authorization(accessKey: ak, signedHeaders: names, signature: signature)))
    }

    public func noteServerDate(_ serverDate: Date) async {
        skewWatch.note(serverDate: serverDate)
    }
}

/// The pieces of an absolute URL a signature needs, as written (no decoding).
struct URLParts {
    var authority: String
    var path: String
    var query: String?

    init?(_ url: String) {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        var rest = url[schemeEnd.upperBound...]
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        guard !authority.isEmpty else { return nil }
        let afterAuthority = rest.dropFirst(authority.count)
        let path = afterAuthority.prefix { $0 != "?" }
        let query = afterAuthority.dropFirst(path.count)
        self.authority = String(authority.split(separator: "@").last ?? authority)
        self.path = path.isEmpty ? "/" : String(path)
        self.query = query.isEmpty ? nil : String(query.dropFirst())
    }
}
