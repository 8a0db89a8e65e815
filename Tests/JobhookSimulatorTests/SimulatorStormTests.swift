import CCE
import CurlHTTP
import Foundation
import JobhookSimulator
import Testing
import TestSupport

@Suite("CCE simulator storm")
struct SimulatorStormTests {
    let http = CurlClient()

    static let job = Scenario.ScriptedJob(id: "j", type: "CreateNode", timeline: [.init(after: .zero, phase: "Running")])

    func simulator(_ storm: Scenario.Storm, auth: SimulatorAuth = .none,
                   faults: [Scenario.Fault] = []) async throws -> RunningSimulator {
        try await CCESimulator(scenario: Scenario(auth: auth, jobs: [Self.job], faults: faults, storm: storm))
            .start(logger: .silent)
    }

    func get(_ sim: RunningSimulator, _ path: String = "/api/v3/projects/p/jobs/j",
             headers: [HTTPHeader] = []) async throws -> HTTPResponse {
        try await http.send(HTTPRequest(url: sim.endpoint + path, headers: headers, timeout: .seconds(5).scaledForTests))
    }

    @Test func theSameSeedReplaysTheSameDrawsAndAnotherSeedDoesNot() {
        let storm = Scenario.Storm(seed: 7, serverErrors: 0.3, throttled: 0.1, truncated: 0.05, slow: 0.2,
                                   minDelay: .milliseconds(10), maxDelay: .seconds(1))
        func draws(_ seed: UInt64) -> [StormDraw] {
            var dice = SeededRandom(seed: seed)
            return (0..<200).map { _ in storm.draw(using: &dice) }
        }
        #expect(draws(7) == draws(7))
        #expect(draws(7) != draws(8))
    }

    @Test func drawsFollowTheConfiguredSharesAndDelayRange() {
        let storm = Scenario.Storm(seed: 1, serverErrors: 0.3, throttled: 0.1, truncated: 0.05, slow: 0.2,
                                   minDelay: .milliseconds(100), maxDelay: .seconds(2))
        var dice = SeededRandom(seed: 1)
        let draws = (0..<20_000).map { _ in storm.draw(using: &dice) }
        func share(_ kind: StormDraw.Kind) -> Double { Double(draws.count { $0.kind == kind }) / Double(draws.count) }
        #expect(abs(share(.serverError) - 0.30) < 0.02)
        #expect(abs(share(.throttled) - 0.10) < 0.02)
        #expect(abs(share(.truncated) - 0.05) < 0.01)
        let delays = draws.compactMap(\.delay)
        #expect(abs(Double(delays.count) / Double(draws.count) - 0.2) < 0.02)
        #expect(delays.allSatisfy { $0 >= .milliseconds(100) && $0 <= .seconds(2) })
        #expect(Set(draws.compactMap(\.status)) == [429, 500, 502, 503, 504])
        #expect(draws.filter { $0.kind == .throttled }.allSatisfy { $0.status == 429 })
    }

    @Test func stormKeysParseAndNonsenseIsRefusedWithTheKey() throws {
        let scenario = try Scenario.parse("""
            jobs: [{id: j, timeline: [{after: 0s, phase: Running}]}]
            storm: {seed: 9, server_errors: 0.3, throttled: 0.1, retry_after: 2s, truncated: 0.05,
                    slow: 0.25, min_delay: 50ms, max_delay: 1.5s}
            """)
        #expect(scenario.storm == Scenario.Storm(seed: 9, serverErrors: 0.3, throttled: 0.1, retryAfter: .seconds(2),
                                                 truncated: 0.05, slow: 0.25, minDelay: .milliseconds(50),
                                                 maxDelay: .milliseconds(1500)))
        #expect(try Scenario.parse("jobs: []").storm == nil)
        for (bad, says) in [("storm: {throttled: 1.5}", "throttled"), ("storm: {server_errors: 0.6, throttled: 0.6}", "at most 1"),
                            ("storm: {min_delay: 2s, max_delay: 1s}", "max_delay"), ("storm: {min_delay: soon}", "soon")] {
            #expect { try Scenario.parse("jobs: []\n" + bad) } throws: { "\($0)".contains(says) }
        }
    }

    @Test func serverErrorsAnswerInCCEShapeAndAreCounted() async throws {
        let sim = try await simulator(.init(seed: 3, serverErrors: 1))
        defer { Task { await sim.stop() } }
        for _ in 1...8 {
            let answer = try await get(sim)
            #expect([500, 502, 503, 504].contains(answer.status))
            #expect(String(decoding: answer.body, as: UTF8.self).contains("CCE.01500001"))
        }
        let stats = await sim.simulator.stats()
        #expect(stats.storm == ["server_errors": 8])
        #expect(stats.jobs["j"] == 8)
    }

    @Test func throttlingCarriesRetryAfterAndTruncationCutsTheDocument() async throws {
        let throttled = try await simulator(.init(throttled: 1, retryAfter: .seconds(2)))
        defer { Task { await throttled.stop() } }
        let answer = try await get(throttled)
        #expect(answer.status == 429)
        #expect(answer.header("Retry-After") == "2")

        let cut = try await simulator(.init(truncated: 1))
        defer { Task { await cut.stop() } }
        let body = try await get(cut)
        #expect(body.status == 200)
        #expect(throws: JobDecodingError("truncated JSON")) { try Job.decode(body.body) }
    }

    @Test func slowAnswersWaitWithinTheRangeThenAnswerNormally() async throws {
        let sim = try await simulator(.init(slow: 1, minDelay: .milliseconds(400), maxDelay: .milliseconds(500)))
        defer { Task { await sim.stop() } }
        let started = ContinuousClock.now
        let answer = try await get(sim)
        #expect(ContinuousClock.now - started >= .milliseconds(400))
        #expect(try Job.decode(answer.body).phase == "Running")
        #expect(await sim.simulator.stats().storm == ["slow": 1])
    }

    @Test func scriptedFaultsComeFirstAndTheStormNeverRefusesGoodCredentials() async throws {
        let sim = try await simulator(.init(serverErrors: 0.5, throttled: 0.5), auth: .token("t0ken"),
                                      faults: [.init(job: "j", requests: [1], status: 404)])
        defer { Task { await sim.stop() } }
        let good = [HTTPHeader("X-Auth-Token", "t0ken")]
        #expect(try await get(sim, headers: good).status == 404)  // the scripted fault, not a draw
        for _ in 1...10 { #expect([429, 500, 502, 503, 504].contains(try await get(sim, headers: good).status)) }
        #expect(try await get(sim, headers: [HTTPHeader("X-Auth-Token", "wrong")]).status == 401)
        #expect(await sim.simulator.stats().storm.values.reduce(0, +) == 10)  // refused before the storm
    }

    @Test func listingsMeetTheStormToo() async throws {
        let sim = try await simulator(.init(serverErrors: 1))
        defer { Task { await sim.stop() } }
        #expect([500, 502, 503, 504].contains(try await get(sim, "/api/v2/projects/p/jobs").status))
        #expect([500, 502, 503, 504].contains(try await get(sim, "/api/v3/projects/p/clusters").status))
    }
}
