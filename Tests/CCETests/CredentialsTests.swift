import CCE
import CurlHTTP
import Foundation
import Testing
import TestSupport

@Suite struct CredentialsTests {
    @Test func environmentVariablesOfTheOfficialSDKAreRead() {
        let credentials = CredentialsFromEnvironment([
            "HUAWEICLOUD_SDK_AK": "AK1", "HUAWEICLOUD_SDK_SK": " SK1\n", "HUAWEICLOUD_SDK_SECURITY_TOKEN": "",
            "HUAWEICLOUD_SDK_PROJECT_ID": "p1", "HUAWEICLOUD_SDK_REGION": "cn-north-4",
        ])
        #expect(credentials.accessKey?.reveal == "AK1")
        #expect(credentials.secretKey?.reveal == "SK1")
        #expect(credentials.securityToken == nil)
        #expect(credentials.projectID == "p1")
        #expect(credentials.region == "cn-north-4")
        #expect(credentials.hasAccessKey)
        #expect(credentials.signer(logger: .silent) != nil)
        #expect(CredentialsFromEnvironment(["HUAWEICLOUD_SDK_AK": "AK1"]).signer(logger: .silent) == nil)
        #expect(credentials.halfAccessKeyProblem == nil)
        #expect(CredentialsFromEnvironment(["HUAWEICLOUD_SDK_AK": "AK1"]).halfAccessKeyProblem?.contains("HUAWEICLOUD_SDK_SK is not") == true)
        #expect(CredentialsFromEnvironment(["HUAWEICLOUD_SDK_SK": "SK1"]).halfAccessKeyProblem?.contains("HUAWEICLOUD_SDK_AK is not") == true)
        #expect(CredentialsFromEnvironment([:]).halfAccessKeyProblem == nil)
    }

    @Test func staticTokenIsSentAsXAuthToken() async throws {
        var request = HTTPRequest(url: "https://cce.example.com/x")
        try await StaticToken(Secret(" tok \n")).sign(&request, projectID: "p")
        #expect(request.header("X-Auth-Token") == "tok")
        await #expect(throws: CCEError.self) { try await StaticToken(Secret("  ")).sign(&request, projectID: "p") }
    }

    @Test func tokenFileIsReReadWhenItChanges() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("jobhook-token-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("token").path
        try "first-token\n".write(toFile: path, atomically: false, encoding: .utf8)
        let file = TokenFile(path: path)

        var request = HTTPRequest(url: "https://cce.example.com/x")
        try await file.sign(&request, projectID: "p")
        #expect(request.header("X-Auth-Token") == "first-token")
        try await file.sign(&request, projectID: "p")
        #expect(request.header("X-Auth-Token") == "first-token")
        #expect(request.headers.filter { $0.name == "X-Auth-Token" }.count == 1)

        // Rewritten in place with a value of the same length (mtime/ctime change).
        try "other-token\n".write(toFile: path, atomically: false, encoding: .utf8)
        try await file.sign(&request, projectID: "p")
        #expect(request.header("X-Auth-Token") == "other-token")

        // Replaced by rename, as Kubernetes secret volumes do (inode changes).
        let staged = directory.appendingPathComponent("staged").path
        try "  rotated-token-3  ".write(toFile: staged, atomically: false, encoding: .utf8)
        #expect(rename(staged, path) == 0)
        try await file.sign(&request, projectID: "p")
        #expect(request.header("X-Auth-Token") == "rotated-token-3")
    }

    @Test func unreadableTokenFileIsACredentialsErrorNamingThePath() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("jobhook-missing-\(UUID().uuidString)").path
        let file = TokenFile(path: path)
        var request = HTTPRequest(url: "https://cce.example.com/x")
        do {
            try await file.sign(&request, projectID: "p")
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .credentials)
            #expect(error.isAuthFailure)
            #expect(error.description.contains(path))
        }
        try "".write(toFile: path, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        await #expect(throws: CCEError.self) { try await file.sign(&request, projectID: "p") }
    }
}
