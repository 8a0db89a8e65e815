public import CurlHTTP
public import Foundation

extension SDKSignature {
    /// Why a received request's signature was accepted or refused, so a simulator can answer the way the
    /// gateway does (`APIGW.0301` for a bad signature or unknown key, `APIGW.0303` for an expired date).
    public enum Verdict: Sendable, Hashable {
        case valid(accessKey: String)
        /// No `Authorization: SDK-HMAC-SHA256 …` header, or one that does not parse.
        case malformed
        /// `X-Sdk-Date` missing, unsigned, unparseable, or more than 15 minutes from `now`.
        case expired
        case unknownAccessKey
        /// A signed header is absent, or the signature does not match.
        case mismatch

        public var isValid: Bool {
            if case .valid = self { return true }
            return false
        }
    }

    /// Recomputes the signature from the request as received (path and query as they appear in the
    /// request line, headers as received, exact body bytes) and compares it with the `Authorization` header.
    public static func verify(
        method: String, path: String, query: String?, headers: [HTTPHeader], body: Data,
        now: Date = Date(), secretKeyFor: (String) -> String?
    ) -> Bool {
        verdict(method: method, path: path, query: query, headers: headers, body: body, now: now, secretKeyFor: secretKeyFor).isValid
    }

    public static func verdict(
        method: String, path: String, query: String?, headers: [HTTPHeader], body: Data,
        now: Date = Date(), secretKeyFor: (String) -> String?
    ) -> Verdict {
        guard let authorization = headers.first(where: { $0.name.lowercased() == "authorization" })?.value,
              let parsed = parseAuthorization(authorization)
        else { return .malformed }
        guard parsed.signedHeaders.contains("x-sdk-date"),
              let sdkDate = headers.first(where: { $0.name.lowercased() == "x-sdk-date" })?.value,
              let signedAt = GoTimestamp.parseCompactUTC(sdkDate),
              abs(signedAt.timeIntervalSince(now)) <= maximumSkew
        else { return .expired }
        guard let secretKey = secretKeyFor(parsed.accessKey) else { return .unknownAccessKey }
        guard let canonical = canonicalRequest(
            method: method, path: path, query: query, headers: headers, signedHeaders: parsed.signedHeaders, body: body)
        else { return .mismatch }
        let expected = signature(stringToSign: stringToSign(canonicalRequest: canonical, sdkDate: sdkDate), secretKey: secretKey)
        return constantTimeEqual(expected, parsed.signature.lowercased()) ? .valid(accessKey: parsed.accessKey) : .mismatch
    }

    /// `SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b, Signature=hex` → its three parts.
    static func parseAuthorization(_ value: String) -> (accessKey: String, signedHeaders: [String], signature: String)? {
        let prefix = algorithm + " "
        guard value.hasPrefix(prefix) else { return nil }
        var fields: [String: String] = [:]
        for part in value.dropFirst(prefix.count).split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { return nil }
            fields[String(pair[0]).trimmingWhitespace()] = String(pair[1]).trimmingWhitespace()
        }
        guard let access = fields["Access"], !access.isEmpty,
              let signed = fields["SignedHeaders"], !signed.isEmpty,
              let signature = fields["Signature"], !signature.isEmpty
        else { return nil }
        let names = signed.split(separator: ";").map { $0.lowercased() }
        return (access, names, signature)
    }

    private static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in x.indices { difference |= x[i] ^ y[i] }
        return difference == 0
    }
}
