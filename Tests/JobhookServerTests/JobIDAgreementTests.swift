import CCE
import CurlHTTP
import Foundation
import JobhookCore
import Testing
import TestSupport

/// One rule for job IDs (`JobID`): the HTTP API, `watch.jobs` and `CCEClient` accept and refuse the
/// same IDs (the CLI's `jobhook watch` is checked against the same table end to end).
@Suite struct JobIDAgreementTests {
    static let table: [(id: String, valid: Bool)] = [
        ("jöb", false),
        ("", false),
        (String(repeating: "a", count: 129), false),
        ("a b", false),
        ("..", false),
        ("354331b2-229a-11e8-9c75-0255ac100ceb", true),
        ("a-b_c.d", true),
        (String(repeating: "a", count: 128), true),
    ]

    @Test(arguments: table.indices)
    func theRuleSaysWhy(index: Int) {
        let (id, valid) = Self.table[index]
        let problem = JobID.problem(id)
        #expect((problem == nil) == valid)
        if let problem, !id.isEmpty { #expect(problem.contains("not a CCE job ID")) }
    }

    @Test(arguments: table.indices)
    func apiAnswers400WithAJSONErrorExactlyForInvalidIDs(index: Int) async throws {
        let (id, valid) = Self.table[index]
        try await APITestHarness.run { api in
            let body = try JSONSerialization.data(withJSONObject: ["job_id": id])
            let answer = try await api.send("POST", "/v1/watches", body: body)
            if valid {
                #expect(answer.status == 201)
            } else {
                #expect(answer.status == 400)
                let error = try #require(try APITestHarness.object(answer)["error"] as? String)
                #expect(error == "job_id: " + JobID.problem(id)!)
            }
        }
    }

    @Test(arguments: table.indices)
    func configReportsInvalidWatchJobsAtTheirLine(index: Int) throws {
        let (id, valid) = Self.table[index]
        let quoted = String(decoding: try JSONEncoder().encode(id), as: UTF8.self)
        let yaml = """
            cce: {region: cn-north-4, project_id: p1, auth: {token: t}}
            watch:
              jobs:
                - ok-1
                - \(quoted)
            """
        do {
            let config = try ConfigLoader.parse(yaml: yaml, file: "rules.yaml", environment: [:])
            #expect(valid, "\(id) was accepted")
            #expect(config.watch.jobs == ["ok-1", id])
        } catch {
            #expect(!valid, "\(error)")
            #expect(error.problems.map(\.description) == ["rules.yaml:5:7: watch.jobs[1]: \(JobID.problem(id)!)"])
        }
    }

    @Test(arguments: table.indices)
    func clientRefusesInvalidIDsAsTheirOwnNonTransientKindWithoutARequest(index: Int) async throws {
        let (id, valid) = Self.table[index]
        let server = try LoopbackServer { _ in .json(#"{"error_code":"CCE.01404001","error_msg":"not found"}"#, status: 404) }
        defer { server.stop() }
        let http = CurlClient()
        defer { http.shutdown() }
        let client = CCEClient(endpoint: try CCEEndpoint(url: server.url("/")), projectID: "p1", http: http,
                               credentials: StaticToken(Secret("t")), timeout: .seconds(5), logger: .silent)
        do {
            _ = try await client.showJob(id)
            Issue.record("a 404 was expected")
        } catch {
            #expect(error.isInvalidJobID == !valid)
            #expect(error.isNotFound == valid)
            if !valid {
                #expect(!error.isTransient && !error.isAuthFailure && !error.isThrottled)
                #expect(error.description == JobID.problem(id))
            }
        }
        #expect(server.requests.count == (valid ? 1 : 0))
    }
}
