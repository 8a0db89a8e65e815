import CurlHTTP
import Foundation
import JobhookSimulator
import Testing
import TestSupport

/// With `smn:`, the simulator announces every job to the subscriber when its timeline begins: a
/// confirmation first, then one notification per job carrying the CTS trace of its API call.
@Suite("Simulated SMN: automatic publishing")
struct SMNPublishingTests {
    let http = CurlClient()

    /// speed 10: `after: 5s` is half a second of real time.
    static func yaml(url: String, dir: TempDirectory, extra: String = "") -> String {
        """
        project_id: p123
        speed: 10
        jobs:
          - {id: job-create, type: CreateCluster, cluster_id: c-1, resource_name: prod, timeline: [{after: 0s, phase: Running}, {after: 1h, phase: Success}]}
          - {id: job-node, type: CreateNode, cluster_id: c-1, resource_id: n-1, timeline: [{after: 0s, phase: Running}]}
          - {id: job-delete, type: DeleteCluster, cluster_id: c-0, timeline: [{after: 5s, phase: Running}]}
          - {id: job-drop, type: DeleteNode, cluster_id: c-1, resource_id: n-9, timeline: [{after: 5s, phase: Running}]}
          - {id: job-upgrade, type: UpgradeCluster, cluster_id: c-1, timeline: [{after: 5s, phase: Running}]}
        smn:
          url: \(url)
          key_file: \(dir.file("smn-key.pem"))
          cert_file: \(dir.file("smn-cert.pem"))
        \(extra)
        """
    }

    /// The trace inside a recorded notification, and the envelope.
    static func trace(of request: RecordedRequest) throws -> (envelope: [String: Any], trace: [String: Any]) {
        let envelope = try SMNOpenSSL.object(request.body)
        let message = try #require(envelope["message"] as? String)
        return (envelope, try SMNOpenSSL.object(Data(message.utf8)))
    }

    @Test func confirmationThenOneNotificationPerJobWhenItsTimelineBegins() async throws {
        let receiver = try LoopbackServer { _ in .status(200) }
        defer { receiver.stop() }
        let dir = try TempDirectory("smn-publish")
        defer { dir.cleanUp() }
        let scenario = try Scenario.parse(Self.yaml(url: receiver.url("/intake/smn"), dir: dir))
        let started = ContinuousClock.now
        let sim = try await CCESimulator(scenario: scenario).start(logger: .silent)
        defer { Task { await sim.stop() } }

        // The key is written 0600, the certificate for jobhook to pin.
        let keyMode = try FileManager.default.attributesOfItem(atPath: dir.file("smn-key.pem"))[.posixPermissions] as? Int
        #expect(keyMode == 0o600)
        let pem = try String(contentsOfFile: dir.file("smn-cert.pem"), encoding: .utf8)

        // Jobs at 0s at once (after the confirmation); jobs at 5s (0.5 s real) later.
        #expect(await eventually { receiver.requests.count >= 3 })
        let early = receiver.requests
        #expect(early.first?.header("X-SMN-MESSAGE-TYPE") == "SubscriptionConfirmation")
        if ContinuousClock.now - started < .milliseconds(450) { #expect(early.count == 3) }
        #expect(await eventually { receiver.requests.count >= 6 })
        try await Task.sleep(for: .milliseconds(300))  // nothing more: each job once
        let requests = receiver.requests
        #expect(requests.count == 6)
        #expect(requests.filter { $0.header("X-SMN-MESSAGE-TYPE") == "SubscriptionConfirmation" }.count == 1)

        var traces: [String: [String: Any]] = [:]
        for request in requests.dropFirst() {
            #expect(request.method == "POST" && request.path == "/intake/smn")
            #expect(request.header("Content-Type") == "application/json")
            #expect(request.header("X-SMN-MESSAGE-TYPE") == "Notification")
            #expect(request.header("X-SMN-TOPIC-URN") == "urn:smn:sim-region:p123:cce-events")
            let (envelope, trace) = try Self.trace(of: request)
            #expect(request.header("X-SMN-MESSAGE-ID") == envelope["message_id"] as? String)
            #expect(try await SMNOpenSSL.verifies(envelope, certificatePEM: pem))
            #expect(trace["service_type"] as? String == "CCE" && trace["trace_type"] as? String == "ApiCall")
            #expect(trace["trace_rating"] as? String == "normal" && trace["api_version"] as? String == "v3")
            #expect(trace["code"] is String && trace["request"] is String && trace["time"] is Int)
            let response = try SMNOpenSSL.object(Data(try #require(trace["response"] as? String).utf8))
            let jobID = try #require((response["status"] as? [String: Any])?["jobID"] as? String)
            traces[jobID] = trace
        }
        #expect(Set(traces.keys) == ["job-create", "job-node", "job-delete", "job-drop", "job-upgrade"])
        func shape(_ job: String) -> [String?] {
            ["trace_name", "resource_type", "resource_id"].map { traces[job]?[$0] as? String }
        }
        #expect(shape("job-create") == ["createCluster", "cluster", "c-1"])
        #expect(traces["job-create"]?["resource_name"] as? String == "prod")
        #expect(traces["job-create"]?["code"] as? String == "201")
        #expect(shape("job-node") == ["createNode", "node", "n-1"])
        #expect(shape("job-delete") == ["deleteCluster", "cluster", "c-0"])
        #expect(shape("job-drop") == ["deleteOneHost", "node", "n-9"])
        #expect(shape("job-upgrade") == ["updateCluster", "cluster", "c-1"])

        // The subscriber confirms with the confirmation's subscribe_url.
        let confirmation = try SMNOpenSSL.object(requests[0].body)
        #expect(try await SMNOpenSSL.verifies(confirmation, certificatePEM: pem))
        #expect(try await http.send(HTTPRequest(url: try #require(confirmation["subscribe_url"] as? String))).status == 200)
        #expect(await sim.simulator.stats().smn == SMNStats(published: 6, confirmed: 1, failed: 0))
    }

    @Test func jobsAddedAtRunTimeAreAnnouncedWhenTheyBegin() async throws {
        let receiver = try LoopbackServer { _ in .status(200) }
        defer { receiver.stop() }
        let dir = try TempDirectory("smn-added")
        defer { dir.cleanUp() }
        let yaml = "smn: {url: \"\(receiver.url("/intake/smn"))\", confirm: false}\njobs: []\n"
        let sim = try await CCESimulator(scenario: try Scenario.parse(yaml)).start(logger: .silent)
        defer { Task { await sim.stop() } }

        let body = #"{"id": "job-late", "type": "CreateCluster", "cluster_id": "c-late", "timeline": [{"after": "1s", "phase": "Running"}]}"#
        let posted = ContinuousClock.now
        let added = try await http.send(HTTPRequest(method: "POST", url: sim.endpoint + "/sim/jobs",
                                                    headers: [HTTPHeader("Content-Type", "application/json")], body: Data(body.utf8)))
        #expect(added.status == 201)
        try await Task.sleep(until: posted + .milliseconds(300), clock: .continuous)
        let early = receiver.requests.count
        if ContinuousClock.now - posted < .milliseconds(900) {  // a busy machine may get here late
            #expect(early == 0, "not before its timeline begins")
        }
        #expect(await eventually { receiver.requests.count == 1 })
        let (envelope, trace) = try Self.trace(of: try #require(receiver.requests.first))
        #expect(envelope["topic_urn"] as? String == "urn:smn:sim-region:sim:cce-events")
        #expect(trace["resource_id"] as? String == "c-late")
        #expect((trace["response"] as? String)?.contains(#""jobID":"job-late""#) == true)
    }

    @Test func emptyResponseModeSendsAnEmptyResponse() async throws {
        let receiver = try LoopbackServer { _ in .status(200) }
        defer { receiver.stop() }
        let dir = try TempDirectory("smn-empty")
        defer { dir.cleanUp() }
        let scenario = try Scenario.parse(Self.yaml(url: receiver.url("/intake/smn"), dir: dir, extra: "  response: empty\n  confirm: false"))
        let sim = try await CCESimulator(scenario: scenario).start(logger: .silent)
        defer { Task { await sim.stop() } }

        #expect(await eventually { receiver.requests.count >= 2 })
        for request in receiver.requests {
            let (_, trace) = try Self.trace(of: request)
            #expect(trace["response"] as? String == "")
        }
        #expect(receiver.requests.allSatisfy { $0.header("X-SMN-MESSAGE-TYPE") == "Notification" })
    }

    @Test func keyFileIsReusedSoAPinnedCertificateStaysValid() async throws {
        let receiver = try LoopbackServer { _ in .status(200) }
        defer { receiver.stop() }
        let dir = try TempDirectory("smn-reuse")
        defer { dir.cleanUp() }
        let scenario = try Scenario.parse(Self.yaml(url: receiver.url("/"), dir: dir, extra: "  confirm: false"))
        let first = try await CCESimulator(scenario: scenario).smnIdentity()
        let key = try String(contentsOfFile: dir.file("smn-key.pem"), encoding: .utf8)

        let sim = try await CCESimulator(scenario: scenario).start(logger: .silent)
        defer { Task { await sim.stop() } }
        #expect(await eventually { !receiver.requests.isEmpty })
        let envelope = try SMNOpenSSL.object(try #require(receiver.requests.first).body)
        #expect(try await SMNOpenSSL.verifies(envelope, certificatePEM: first.certificatePEM))
        #expect(try String(contentsOfFile: dir.file("smn-key.pem"), encoding: .utf8) == key)
    }

    @Test func aBadKeyFileStopsStartWithItsName() async throws {
        let dir = try TempDirectory("smn-badkey")
        defer { dir.cleanUp() }
        try dir.write("smn-key.pem", "not a key")
        let scenario = try Scenario.parse(Self.yaml(url: "http://127.0.0.1:9/", dir: dir))
        await #expect(throws: ScenarioError.self) { _ = try await CCESimulator(scenario: scenario).start(logger: .silent) }
        do {
            _ = try await CCESimulator(scenario: scenario).smnIdentity()
        } catch {
            #expect(error.description.contains(dir.file("smn-key.pem")))
        }
    }

    @Test func subscriberErrorsAreRetriedAndAnUnreachableOneIsCountedAsFailed() async throws {
        // 500 twice, then 200: SMN retries non-2xx answers.
        let flaky = try LoopbackServer { request in request.index < 2 ? .status(500) : .status(200) }
        defer { flaky.stop() }
        let one = "jobs: [{id: job-1, cluster_id: c-1, timeline: [{after: 0s, phase: Running}]}]\n"
        let sim = try await CCESimulator(scenario: try Scenario.parse(
            one + "smn: {url: \"\(flaky.url("/intake/smn"))\", confirm: false}")).start(logger: .silent)
        defer { Task { await sim.stop() } }
        #expect(await eventually { await sim.simulator.stats().smn.published == 1 })
        #expect(flaky.requests.count == 3)
        #expect(Set(flaky.requests.map { $0.header("X-SMN-MESSAGE-ID") }).count == 1, "a retry is the same message")

        // Nobody listening: logged, counted, and the simulator keeps serving.
        let refusing = try RefusingPort()
        let down = try await CCESimulator(scenario: try Scenario.parse(
            one + "smn: {url: \"http://127.0.0.1:\(refusing.port)/intake/smn\", confirm: false}")).start(logger: .silent)
        defer { Task { await down.stop() } }
        #expect(await eventually(timeout: .seconds(10)) { await down.simulator.stats().smn == SMNStats(failed: 1) })
        #expect(try await http.send(HTTPRequest(url: down.endpoint + "/sim/stats")).status == 200)
    }
}
