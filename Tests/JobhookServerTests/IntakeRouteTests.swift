import CurlHTTP
import Foundation
import JobhookCore
import Testing
import TestSupport

/// The SMN intake route on the API server: open without the bearer token (SMN cannot send one), POST
/// only, bodies over 256 KiB refused with 413, every refusal a JSON 403 — and counted.
@Suite("SMN intake route")
struct IntakeRouteTests {
    static func settings(_ dir: TempDirectory) throws -> SMNIntakeSettings {
        let cert = dir.file("cert.pem")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir.file("key.pem"), "-out", cert,
                             "-subj", "/CN=route-test", "-days", "1"]
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return SMNIntakeSettings(path: "/intake/smn", topics: ["urn:smn:r:p:t"], certificate: .pinned(path: cert, key: try SMNSigningKey(contentsOf: cert)))
    }

    @Test func theRouteNeedsNoTokenAndRefusesWhatIsNotSigned() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanUp() }
        try await APITestHarness.run(token: "api-token", intake: try Self.settings(dir)) { api in
            let forged = #"{"type":"Notification","signature_version":"v1","topic_urn":"urn:smn:r:p:t","message_id":"m","message":"{}","timestamp":"2026-01-01T00:00:00Z","signature":"AAAA"}"#
            let refused = try await api.send("POST", "/intake/smn", json: forged, bearer: "")
            #expect(refused.status == 403, "not 401: the signature is this route's authentication")
            #expect(try APITestHarness.object(refused)["error"] as? String == "the signature does not verify with the signing certificate")
            let malformed = try await api.send("POST", "/intake/smn", json: "nonsense", bearer: "")
            #expect(malformed.status == 403)
            let large = try await api.send("POST", "/intake/smn", body: Data(repeating: 0x20, count: SMNMessage.maxBodyBytes + 1), bearer: "")
            #expect(large.status == 413)
            let get = try await api.send("GET", "/intake/smn", bearer: "")
            #expect(get.status == 405)
            #expect(get.header("Allow") == "POST, OPTIONS")
            #expect(try await api.send("OPTIONS", "/intake/smn", bearer: "").status == 204)
            #expect(try await api.send("GET", "/v1/watches", bearer: "").status == 401, "the rest of the API still needs the token")
            #expect(try await api.store.watches().isEmpty)
        }
    }

    @Test func withoutIntakeConfiguredThereIsNoRoute() async throws {
        let status = try await APITestHarness.run { api in try await api.send("POST", "/intake/smn", json: "{}").status }
        #expect(status == 404)
    }
}
