import CurlHTTP
import Foundation
import JobhookCore
import Testing

/// `POST/GET /v1/silences`, `DELETE /v1/silences/{id}` (SPEC § Silences): validated like a rule's
/// match, stored in the state store the daemon reads, and under `server.token` like the rest of `/v1`.
@Suite struct SilenceAPITests {
    typealias H = APITestHarness

    @Test func addListAndExpireThroughTheAPI() async throws {
        try await H.run(token: "t0ken") { api in
            #expect(try await api.send("GET", "/v1/silences", bearer: "wrong").status == 401)
            let created = try await api.send("POST", "/v1/silences", json: """
                {"matchers": {"cluster_id": "c-1", "reason": {"regex": "(?i)drain"}}, "duration": "2h", "comment": "upgrade"}
                """)
            #expect(created.status == 201, "\(String(decoding: created.body, as: UTF8.self))")
            let silence = try H.object(created)
            let id = try #require(silence["id"] as? String)
            #expect((silence["matchers"] as? [String: Any])?["cluster_id"] as? String == "c-1")
            #expect(((silence["matchers"] as? [String: Any])?["reason"] as? [String: String])?["regex"] == "(?i)drain")
            #expect(silence["state"] as? String == "active")
            #expect(silence["created_by"] as? String == "api")
            #expect(try await api.store.silences(now: Date(), includingEnded: false).map(\.id) == [id], "in the store the daemon reads")

            let listed = try H.object(try await api.send("GET", "/v1/silences"))
            #expect((listed["silences"] as? [[String: Any]])?.map { $0["id"] as? String } == [id])

            #expect(try await api.send("DELETE", "/v1/silences/\(id)").status == 204)
            #expect(try await api.send("DELETE", "/v1/silences/\(id)").status == 404)
            let none = try H.object(try await api.send("GET", "/v1/silences"))
            #expect((none["silences"] as? [Any])?.isEmpty == true)
            let all = try H.object(try await api.send("GET", "/v1/silences?all=true"))
            #expect((all["silences"] as? [[String: Any]])?.first?["state"] as? String == "ended")
        }
    }

    @Test(arguments: [
        (#"{"matchers": {"cluster": "c-1"}, "duration": "2h"}"#, "unknown matcher key 'cluster'"),
        (#"{"matchers": {"reason": {"regex": "(a"}}, "duration": "2h"}"#, "reason: invalid regular expression '(a'"),
        (#"{"matchers": {}, "duration": "2h"}"#, "a silence needs at least one matcher"),
        (#"{"matchers": {"phase": "Failed"}}"#, "say how long"),
        (#"{"matchers": {"phase": 1}, "duration": "2h"}"#, "matchers.phase: expected a string"),
        (#"{"matchers": {"phase": "Failed"}, "duration": "2h", "until": "x"}"#, "unknown field 'until'"),
        ("[1]", "the body must be a JSON object"),
    ])
    func invalidSilencesAre400WithTheReason(body: String, reason: String) async throws {
        try await H.run { api in
            let answer = try await api.send("POST", "/v1/silences", json: body)
            #expect(answer.status == 400)
            #expect((try H.object(answer)["error"] as? String)?.contains(reason) == true, "\(String(decoding: answer.body, as: UTF8.self))")
            #expect(try await api.store.silences(now: Date(), includingEnded: true).isEmpty)
        }
    }
}
