import CCE
import CurlHTTP
import Foundation
import JobhookSimulator
import Testing
import TestSupport

@Suite("CCE simulator authentication")
struct SimulatorAuthTests {
    let http = CurlClient()

    func simulator(_ auth: SimulatorAuth) async throws -> RunningSimulator {
        try await CCESimulator(scenario: Scenario(auth: auth, jobs: [
            .init(id: "j1", type: "CreateCluster", timeline: [.init(after: .zero, phase: "Running")]),
        ])).start(logger: .silent)
    }

    func client(_ sim: RunningSimulator, _ signer: any RequestSigner) throws -> CCEClient {
        CCEClient(endpoint: try CCEEndpoint(url: sim.endpoint), projectID: "p123", http: http,
                  credentials: signer, timeout: .seconds(5), logger: .silent)
    }

    @Test func tokenModeAcceptsOnlyTheConfiguredToken() async throws {
        let sim = try await simulator(.token("t0ken"))
        defer { Task { await sim.stop() } }
        #expect(try await client(sim, StaticToken(Secret("t0ken"))).showJob("j1").phase == "Running")
        await #expect { try await client(sim, StaticToken(Secret("wrong"))).showJob("j1") } throws: { error in
            (error as? CCEError)?.status == 401 && (error as? CCEError)?.code == "APIGW.0301"
        }
    }

    @Test func akskModeVerifiesTheSDKSignature() async throws {
        let sim = try await simulator(.aksk(accessKey: "AKTEST", secretKey: "SKTEST"))
        defer { Task { await sim.stop() } }
        let good = AKSKSigner(accessKey: Secret("AKTEST"), secretKey: Secret("SKTEST"), logger: .silent)
        #expect(try await client(sim, good).showJob("j1").phase == "Running")
        let bad = AKSKSigner(accessKey: Secret("AKTEST"), secretKey: Secret("nope"), logger: .silent)
        await #expect { try await client(sim, bad).showJob("j1") } throws: { error in
            (error as? CCEError)?.isAuthFailure == true
        }
    }

    @Test func iamModeIssuesTokensAndRefusesThemOnceExpired() async throws {
        let sim = try await simulator(.iam(domain: "acme", user: "bot", password: "pw", tokenLifetime: .seconds(3)))
        defer { Task { await sim.stop() } }
        let login = HTTPRequest(method: "POST", url: sim.endpoint + "/v3/auth/tokens",
                                headers: [HTTPHeader("Content-Type", "application/json;charset=utf8")],
                                body: Data(#"{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"bot","password":"pw","domain":{"name":"acme"}}}},"scope":{"project":{"name":"cn-north-4"}}}}"#.utf8))
        let issued = try await http.send(login)
        #expect(issued.status == 201)
        let token = try #require(issued.header("X-Subject-Token"))
        #expect(String(decoding: issued.body, as: UTF8.self).contains("expires_at"))
        #expect(try await client(sim, StaticToken(Secret(token))).showJob("j1").phase == "Running")

        // A lifetime of seconds, not milliseconds: the first use must land within it on a loaded machine.
        try await Task.sleep(for: .milliseconds(3200))
        await #expect { try await client(sim, StaticToken(Secret(token))).showJob("j1") } throws: { error in
            (error as? CCEError)?.status == 401
        }

        var wrong = login
        wrong.body = Data(#"{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"bot","password":"bad","domain":{"name":"acme"}}}}}}"#.utf8)
        #expect(try await http.send(wrong).status == 401)
    }

    @Test func iamModeWorksWithTheIAMTokenSource() async throws {
        let sim = try await simulator(.iam(domain: "acme", user: "bot", password: "pw", tokenLifetime: .seconds(3600)))
        defer { Task { await sim.stop() } }
        let source = IAMTokenSource(endpoint: try CCEEndpoint(url: sim.endpoint), domain: "acme", user: "bot",
                                    password: Secret("pw"), scope: .projectName("cn-north-4"), http: http, logger: .silent)
        #expect(try await client(sim, source).showJob("j1").phase == "Running")
    }
}
