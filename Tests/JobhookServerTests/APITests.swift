import CCE
import CurlHTTP
import Foundation
import JobhookCore
import JobhookServer
import Testing

@Suite("HTTP API")
struct APITests {
    typealias H = APITestHarness

    @Test func watchCanBeAddedListedShownAndRemoved() async throws {
        try await H.run { api in
            let created = try await api.send("POST", "/v1/watches", json: #"{"job_id": "job-1"}"#)
            #expect(created.status == 201)
            #expect(try H.object(created)["job_id"] as? String == "job-1")
            #expect(try H.object(created)["state"] as? String == "watching")
            #expect(try H.object(created)["source"] as? String == "api")

            let again = try await api.send("POST", "/v1/watches", json: #"{"job_id": "job-1"}"#)
            #expect(again.status == 200)

            let list = try await api.send("GET", "/v1/watches")
            #expect(list.status == 200)
            let watches = try #require(try H.object(list)["watches"] as? [[String: Any]])
            #expect(watches.map { $0["job_id"] as? String } == ["job-1"])

            let one = try await api.send("GET", "/v1/watches/job-1")
            #expect(one.status == 200)
            #expect(try H.object(one)["added_at"] is String)

            #expect(try await api.send("DELETE", "/v1/watches/job-1").status == 204)
            #expect(try await api.store.watch("job-1")?.state == .removed)
            let missing = try await api.send("DELETE", "/v1/watches/never-seen")
            #expect(missing.status == 404)
            #expect(try H.object(missing)["error"] is String)
            #expect(try await api.send("GET", "/v1/watches/never-seen").status == 404)
        }
    }

    @Test func watchShowsItsLastPhaseTree() async throws {
        try await H.run { api in
            try await api.store.record(PollRecord(
                jobID: "job-1",
                tree: .init(uid: "job-1", type: "CreateCluster", phase: "Running",
                            subJobs: [.init(uid: "sub-1", type: "InstallMaster", phase: "Failed", reason: "quota")]),
                phases: ["job-1": "Running", "sub-1": "Failed"], deliveries: []))
            let tree = try #require(try H.object(try await api.send("GET", "/v1/watches/job-1"))["tree"] as? [String: Any])
            #expect(tree["phase"] as? String == "Running")
            let sub = try #require((tree["subjobs"] as? [[String: Any]])?.first)
            #expect(sub["id"] as? String == "sub-1")
            #expect(sub["reason"] as? String == "quota")
        }
    }

    @Test func tokenIsRequiredOnV1WhenConfigured() async throws {
        try await H.run(token: "s3cret") { api in
            let without = try await api.client.send(HTTPRequest(url: api.base + "/v1/watches"))
            #expect(without.status == 401)
            #expect(try H.object(without)["error"] is String)
            #expect(try await api.send("GET", "/v1/watches", bearer: "wrong").status == 401)
            #expect(try await api.send("GET", "/v1/watches").status == 200)
            // Probes stay open for Kubernetes and Prometheus.
            #expect(try await api.client.send(HTTPRequest(url: api.base + "/healthz")).status == 200)
        }
    }

    @Test func malformedJSONOrJobIDIsA400WithAJSONError() async throws {
        try await H.run { api in
            for body in [#"{"job_id": "#, #"[1,2]"#, #"{}"#, #"{"job_id": "bad id/with slash"}"#,
                         #"{"job_id": ""}"#, "{\"job_id\": \"\(String(repeating: "a", count: 129))\"}"] {
                let response = try await api.send("POST", "/v1/watches", json: body)
                #expect(response.status == 400, "\(body)")
                #expect(try H.object(response)["error"] is String)
            }
        }
    }

    @Test func unknownRouteIs404AndWrongMethodIs405AsJSON() async throws {
        try await H.run { api in
            let unknown = try await api.send("GET", "/nope")
            #expect(unknown.status == 404)
            #expect(try H.object(unknown)["error"] as? String == "no such route: /nope")
            let wrong = try await api.send("PUT", "/v1/watches")
            #expect(wrong.status == 405)
            #expect(wrong.header("Allow") == "GET, HEAD, POST, OPTIONS")
            #expect(try H.object(wrong)["error"] is String)
        }
    }

    /// Found by scripts/api-fuzz: `?state=` listed everything although the document allows only
    /// the three states.
    @Test func anEmptyOrUnknownStateFilterIs400() async throws {
        try await H.run { api in
            for query in ["state=", "state", "state=Pending", "limit=0", "limit=x"] {
                let response = try await api.send("GET", "/v1/deliveries?\(query)")
                #expect(response.status == 400, "\(query)")
                #expect(try H.object(response)["error"] is String)
            }
            #expect(try await api.send("GET", "/v1/deliveries?state=pending&limit=1").status == 200)
        }
    }

    /// As documented (schemathesis sent both): `cce: null` means "not given", `cce: ""` names no account.
    @Test func aNullAccountIsLeftOutAndAnEmptyOneIsRefused() async throws {
        try await H.run { api in
            #expect(try await api.send("POST", "/v1/watches", json: #"{"job_id": "job-1", "cce": null}"#).status == 201)
            let empty = try await api.send("POST", "/v1/watches", json: #"{"job_id": "job-2", "cce": ""}"#)
            #expect(empty.status == 400)
            #expect(try H.object(empty)["error"] as? String == "cce: unknown account '' (accounts: default)")
        }
    }

    /// As documented (schemathesis' use-after-free check flags it): a removed watch stays a record.
    @Test func aRemovedWatchIsStillShownAsRemoved() async throws {
        try await H.run { api in
            #expect(try await api.send("POST", "/v1/watches", json: #"{"job_id": "job-1"}"#).status == 201)
            #expect(try await api.send("DELETE", "/v1/watches/job-1").status == 204)
            let after = try await api.send("GET", "/v1/watches/job-1")
            #expect(after.status == 200)
            #expect(try H.object(after)["state"] as? String == "removed")
        }
    }

    @Test func oversizeBodyIs413() async throws {
        try await H.run { api in
            let big = Data(repeating: UInt8(ascii: "a"), count: 100 * 1024)
            let response = try await api.send("POST", "/v1/watches", body: big)
            #expect(response.status == 413)
            #expect(try H.object(response)["error"] is String)
        }
    }

    @Test func deliveriesAreListedWithoutSecretsAndCanBeRetried() async throws {
        try await H.run { api in
            let request = RenderedRequest(url: "https://hooks.example.com/TOKEN-IN-URL", headers: [HTTPHeader("X-Key", "HEADER-SECRET")],
                                          body: Data("BODY-SECRET".utf8))
            var dead = Delivery(id: "evt_1", receiver: "ops", rule: "r", jobID: "job-1", uid: "job-1",
                                transition: " → Failed", request: request, createdAt: Date(timeIntervalSince1970: 1_700_000_000))
            try await api.store.record(PollRecord(jobID: "job-1", tree: .init(uid: "job-1"), phases: [:], deliveries: [dead]))
            dead.state = .dead
            dead.attempts = 3
            dead.lastError = "HTTP 404"
            dead.finishedAt = Date(timeIntervalSince1970: 1_700_000_100)
            try await api.store.update(dead)

            let response = try await api.send("GET", "/v1/deliveries?state=dead")
            #expect(response.status == 200)
            let text = String(decoding: response.body, as: UTF8.self)
            for secret in ["TOKEN-IN-URL", "HEADER-SECRET", "BODY-SECRET", "hooks.example.com"] {
                #expect(!text.contains(secret))
            }
            let items = try #require(try H.object(response)["deliveries"] as? [[String: Any]])
            #expect(items.map { $0["id"] as? String } == ["evt_1"])
            #expect(items.first?["last_error"] as? String == "HTTP 404")
            #expect(items.first?["attempts"] as? Int == 3)

            #expect(try await api.send("GET", "/v1/deliveries?state=bogus").status == 400)
            #expect(try await api.send("POST", "/v1/deliveries/evt_1/retry").status == 200)
            #expect(try await api.store.delivery("evt_1")?.state == .pending)
            #expect(try await api.send("POST", "/v1/deliveries/evt_nope/retry").status == 404)

            // A delivered one goes out again only with force=true: 409 otherwise.
            var delivered = try #require(try await api.store.delivery("evt_1"))
            delivered.state = .delivered
            delivered.finishedAt = Date()
            try await api.store.update(delivered)
            let conflict = try await api.send("POST", "/v1/deliveries/evt_1/retry")
            #expect(conflict.status == 409)
            #expect((try H.object(conflict)["error"] as? String)?.contains("force=true") == true)
            #expect(try await api.store.delivery("evt_1")?.state == .delivered)
            #expect(try await api.send("POST", "/v1/deliveries/evt_1/retry?force=true").status == 200)
            #expect(try await api.store.delivery("evt_1")?.state == .pending)
        }
    }

    @Test func probesAndMetricsAnswer() async throws {
        try await H.run(readiness: { "state store not open" }) { api in
            #expect(try await api.send("GET", "/healthz").status == 200)
            let ready = try await api.send("GET", "/readyz")
            #expect(ready.status == 503)
            #expect((try H.object(ready)["error"] as? String)?.contains("state store not open") == true)
            let metrics = try await api.send("GET", "/metrics")
            #expect(metrics.status == 200)
            #expect(String(decoding: metrics.body, as: UTF8.self) == "jobhook_up 1\n")
        }
    }

    @Test func publicListenerWithoutTokenIsRefused() throws {
        #expect(throws: ListenError.self) { try APIServer.validateListen(address: "0.0.0.0:9787", token: nil) }
        #expect(throws: ListenError.self) { try APIServer.validateListen(address: "[::]:9787", token: .init("")) }
        #expect(throws: ListenError.self) { try APIServer.validateListen(address: "127.0.0.1", token: nil) }
        #expect(throws: Never.self) { try APIServer.validateListen(address: "127.0.0.1:9787", token: nil) }
        #expect(throws: Never.self) { try APIServer.validateListen(address: "[::1]:0", token: nil) }
        #expect(throws: Never.self) { try APIServer.validateListen(address: "0.0.0.0:9787", token: .init("t")) }
    }
}
