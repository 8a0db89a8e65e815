import CCE
import CurlHTTP
import Foundation
import Testing
import TestSupport

/// The reference table's vectors, produced by the official Python SDK's signer.
@Suite struct SDKSignatureTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        var name: String
        var method = "GET"
        var pathAndQuery: String
        var projectID = "p123"
        var securityToken: String?
        var body: String?
        var signedHeaders: String
        var signature: String
        var testDescription: String { name }
    }

    static let date = Date(timeIntervalSince1970: 1_767_225_600) // 2026-01-01T00:00:00Z
    static let host = "cce.cn-north-4.myhuaweicloud.com"

    static let vectors: [Vector] = [
        Vector(name: "ShowJob", pathAndQuery: "/api/v3/projects/p123/jobs/j456",
               signedHeaders: "content-type;host;x-project-id;x-sdk-date",
               signature: "af24c37b85d32c07619eda4b57b34c8cb17f7bc66764ca929d38a89723ecaa38"),
        Vector(name: "no project header", pathAndQuery: "/api/v3/projects/p123/jobs/j456", projectID: "",
               signedHeaders: "content-type;host;x-sdk-date",
               signature: "b9901504c99558ee5868b8638326452edc2e06d8a23df34d6dad4ee5c5667ac9"),
        Vector(name: "temporary credentials", pathAndQuery: "/api/v3/projects/p123/jobs/j456", securityToken: "STSTOKEN",
               signedHeaders: "content-type;host;x-project-id;x-sdk-date;x-security-token",
               signature: "2b3e0b938e352ef0be4898286a30f454dc9279496347f71ab22020287cdcf370"),
        Vector(name: "query string",
               pathAndQuery: "/api/v3/projects/p123/clusters?" + SDKSignature.canonicalQuery([
                   (name: "type", value: "VirtualMachine"), (name: "status", value: "Available"),
                   (name: "detail", value: "true"), (name: "version", value: "v1.28 x/y"),
               ]),
               signedHeaders: "content-type;host;x-project-id;x-sdk-date",
               signature: "f47765eafebeafd85b817bc1181c0fcad764aaca3bfec7caa8513af84fc0df17"),
        Vector(name: "POST body", method: "POST", pathAndQuery: "/api/v3/projects/p123/clusters/c789/nodes",
               body: #"{"kind":"Node","apiVersion":"v3","spec":{"flavor":"c7.large.2","count":1}}"#,
               signedHeaders: "content-type;host;x-project-id;x-sdk-date",
               signature: "da023268fc04a4549ac8e0ddec954cc945136f491dc4cb8208d5c24367bc3b0d"),
    ]

    static func signer(_ vector: Vector) -> AKSKSigner {
        AKSKSigner(accessKey: Secret("AKTEST"), secretKey: Secret("SKTEST"),
                   securityToken: vector.securityToken.map(Secret.init), logger: .silent, now: { date })
    }

    static func signed(_ vector: Vector) throws -> HTTPRequest {
        var request = HTTPRequest(method: vector.method, url: "https://\(host)\(vector.pathAndQuery)",
                                  body: vector.body.map { Data($0.utf8) })
        try signer(vector).signNow(&request, projectID: vector.projectID)
        return request
    }

    @Test(arguments: vectors)
    func signatureMatchesTheOfficialSDK(vector: Vector) throws {
        let request = try Self.signed(vector)
        #expect(request.header("Authorization")
            == "SDK-HMAC-SHA256 Access=AKTEST, SignedHeaders=\(vector.signedHeaders), Signature=\(vector.signature)")
        #expect(request.header("X-Sdk-Date") == "20260101T000000Z")
        #expect(request.header("Host") == Self.host)
        #expect(request.header("Content-Type") == "application/json")
        #expect(request.header("X-Security-Token") == vector.securityToken)
    }

    @Test(arguments: vectors)
    func verifierAcceptsWhatTheSignerProduced(vector: Vector) throws {
        let request = try Self.signed(vector)
        let (path, query) = split(vector.pathAndQuery)
        let verdict = SDKSignature.verdict(
            method: vector.method, path: path, query: query, headers: request.headers,
            body: request.body ?? Data(), now: Self.date.addingTimeInterval(600)) { $0 == "AKTEST" ? "SKTEST" : nil }
        #expect(verdict == .valid(accessKey: "AKTEST"))
    }

    @Test func queryVectorSendsTheDocumentedQuery() {
        #expect(Self.vectors[3].pathAndQuery.hasSuffix("?detail=true&status=Available&type=VirtualMachine&version=v1.28%20x%2Fy"))
    }

    @Test func showJobCanonicalRequestHashMatches() throws {
        let request = try Self.signed(Self.vectors[0])
        let canonical = try #require(SDKSignature.canonicalRequest(
            method: "GET", path: "/api/v3/projects/p123/jobs/j456", query: nil, headers: request.headers,
            signedHeaders: ["content-type", "host", "x-project-id", "x-sdk-date"], body: Data()))
        #expect(canonical == """
            GET
            /api/v3/projects/p123/jobs/j456/

            content-type:application/json
            host:cce.cn-north-4.myhuaweicloud.com
            x-project-id:p123
            x-sdk-date:20260101T000000Z

            content-type;host;x-project-id;x-sdk-date
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """)
        #expect(SDKSignature.hexSHA256(Data(canonical.utf8)) == "7b417a7ffe923ec19aedea374e412b2e86f1876a87e0e2f54cbe76de1f7e5a46")
    }

    @Test func postBodyPayloadHashMatches() {
        #expect(SDKSignature.hexSHA256(Data(Self.vectors[4].body!.utf8))
            == "e00b4224d984a0b7791fec48b1c6bdd0f4bc0282c4b56d6e0a858a99c5b92f3a")
    }

    @Test func hostCarriesThePortWhenTheURLHasOne() throws {
        var request = HTTPRequest(url: "http://127.0.0.1:8080/api/v3/projects/p/jobs/j")
        try Self.signer(Self.vectors[0]).signNow(&request, projectID: "p")
        #expect(request.header("Host") == "127.0.0.1:8080")
        #expect(SDKSignature.verify(method: "GET", path: "/api/v3/projects/p/jobs/j", query: nil, headers: request.headers,
                                    body: Data(), now: Self.date) { _ in "SKTEST" })
    }

    @Test func onlyTheDocumentedHeadersAreSigned() throws {
        var request = HTTPRequest(url: "https://\(Self.host)/api/v3/projects/p123/jobs/j456",
                                  headers: [HTTPHeader("User-Agent", "jobhook/test"), HTTPHeader("X-Extra", "1")])
        try Self.signer(Self.vectors[0]).signNow(&request, projectID: "p123")
        #expect(request.header("Authorization")?.contains("SignedHeaders=content-type;host;x-project-id;x-sdk-date,") == true)
        #expect(request.header("Authorization")?.hasSuffix(Self.vectors[0].signature) == true)
    }

    @Test func verifierRefusesTamperingUnknownKeysAndStaleDates() throws {
        let request = try Self.signed(Self.vectors[0])
        let path = "/api/v3/projects/p123/jobs/j456"
        let keys: (String) -> String? = { $0 == "AKTEST" ? "SKTEST" : nil }
        func verdict(path: String = path, headers: [HTTPHeader] = request.headers, now: Date = Self.date) -> SDKSignature.Verdict {
            SDKSignature.verdict(method: "GET", path: path, query: nil, headers: headers, body: Data(), now: now, secretKeyFor: keys)
        }
        #expect(verdict() == .valid(accessKey: "AKTEST"))
        #expect(verdict(path: "/api/v3/projects/p123/jobs/j457") == .mismatch)
        #expect(verdict(headers: request.headers.map { $0.name == "X-Project-Id" ? HTTPHeader($0.name, "other") : $0 }) == .mismatch)
        #expect(verdict(headers: request.headers.filter { $0.name != "X-Project-Id" }) == .mismatch)
        #expect(verdict(headers: request.headers.filter { $0.name != "Authorization" }) == .malformed)
        #expect(verdict(now: Self.date.addingTimeInterval(15 * 60 + 1)) == .expired)
        #expect(verdict(now: Self.date.addingTimeInterval(-15 * 60 - 1)) == .expired)
        #expect(verdict(now: Self.date.addingTimeInterval(15 * 60)).isValid)
        let wrongKey = SDKSignature.verdict(method: "GET", path: path, query: nil, headers: request.headers, body: Data(),
                                            now: Self.date) { _ in nil }
        #expect(wrongKey == .unknownAccessKey)
        let wrongSecret = SDKSignature.verify(method: "GET", path: path, query: nil, headers: request.headers, body: Data(),
                                              now: Self.date) { _ in "SKOTHER" }
        #expect(!wrongSecret)
    }

    @Test(arguments: [
        ("abcXYZ019_.-~", "abcXYZ019_.-~"), ("a b", "a%20b"), ("x/y", "x%2Fy"), ("é", "%C3%A9"), ("a+b=c&d", "a%2Bb%3Dc%26d"),
    ])
    func percentEncodingKeepsOnlyUnreserved(input: String, expected: String) {
        #expect(SDKSignature.percentEncode(input) == expected)
    }

    @Test func canonicalURIAppendsTheSlashForSigningOnly() {
        #expect(SDKSignature.canonicalURI(path: "/api/v3/projects/p/jobs/j") == "/api/v3/projects/p/jobs/j/")
        #expect(SDKSignature.canonicalURI(path: "/a%20b/c/") == "/a%20b/c/")
        #expect(SDKSignature.canonicalURI(path: "") == "/")
    }

    private func split(_ pathAndQuery: String) -> (String, String?) {
        guard let mark = pathAndQuery.firstIndex(of: "?") else { return (pathAndQuery, nil) }
        return (String(pathAndQuery[..<mark]), String(pathAndQuery[pathAndQuery.index(after: mark)...]))
    }
}
