import CCE
import CurlHTTP
import Foundation
import Synchronization
import TestSupport
import Testing

/// A token signer that hands out `tok-1`, `tok-2`, … and renews (answering true) on each 401 reported,
/// as `IAMTokenSource` does for an expired token.
final class RenewingToken: RequestSigner {
    private let state = Mutex((current: 1, reports: 0))
    var reports: Int { state.withLock { $0.reports } }

    func sign(_ request: inout HTTPRequest, projectID: String) async throws(CCEError) {
        let token = state.withLock { "tok-\($0.current)" }
        request.headers.append(HTTPHeader("X-Auth-Token", token))
    }

    func reportAuthFailure(_ error: CCEError, for request: HTTPRequest) async -> Bool {
        state.withLock { state in
            state.reports += 1
            state.current += 1
            return true
        }
    }
}

@Suite struct CCEClientListingTests {
    func client(_ server: LoopbackServer, credentials: any RequestSigner = StaticToken(Secret("tok-secret"))) throws -> CCEClient {
        CCEClient(endpoint: try CCEEndpoint(url: server.url("/")), projectID: "p123", http: CurlClient(),
                  credentials: credentials, timeout: .seconds(20), logger: .silent)
    }

    func failure<T>(_ body: () async throws(CCEError) -> T) async -> CCEError? {
        do {
            _ = try await body()
            return nil
        } catch {
            return error
        }
    }

    @Test func listJobsIsOneGetOfTheV2Path() async throws {
        let server = try LoopbackServer { _ in .json(ListingFixtures.v2Jobs) }
        defer { server.stop() }
        let jobs = try await client(server).listJobs()
        #expect(jobs.map(\.uid) == ["job-1", "job-2"])
        let request = try #require(server.requests.first)
        #expect(server.requests.count == 1)
        #expect(request.method == "GET" && request.path == "/api/v2/projects/p123/jobs" && request.query == nil)
        #expect(request.header("X-Auth-Token") == "tok-secret")
        #expect(request.header("User-Agent") == "jobhook/\(JobhookVersion.current)")
    }

    @Test func listClustersReadsTheV3Path() async throws {
        let server = try LoopbackServer { _ in .json(ListingFixtures.clusters) }
        defer { server.stop() }
        let clusters = try await client(server).listClusters()
        #expect(clusters.compactMap(\.jobID) == ["job-1", "job-3", "job-4"])
        #expect(server.requests.first?.path == "/api/v3/projects/p123/clusters")
    }

    @Test func malformedListingIsADecodingErrorNamingTheOperation() async throws {
        let server = try LoopbackServer { request in
            request.path.hasSuffix("/jobs")
                ? .json(#"{"items":[{"metadata":"#, headers: [HTTPHeader("X-Request-Id", "req-9")])
                : .json(#"{"error_code":"X","error_msg":"odd"}"#)
        }
        defer { server.stop() }
        let client = try client(server)
        let error = try #require(await failure { () throws(CCEError) in try await client.listJobs() })
        #expect(error.kind == .decoding && error.isTransient && error.jobID == nil)
        #expect(error.operation == "ListJobs" && error.requestID == "req-9")
        #expect(error.description == "ListJobs: CCE answer is not a listing: truncated JSON (X-Request-Id req-9)")
        let clusters = try #require(await failure { () throws(CCEError) in try await client.listClusters() })
        #expect(clusters.kind == .decoding && clusters.description.hasPrefix("ListClusters:"))
        let nodes = try #require(await failure { () throws(CCEError) in try await client.listNodes(clusterID: "c-1") })
        #expect(nodes.kind == .decoding && nodes.description.hasPrefix("ListNodes cluster c-1:"))
    }

    @Test(arguments: [401, 403, 404, 429, 503])
    func refusalsAreClassifiedAsForShowJob(status: Int) async throws {
        let server = try LoopbackServer { _ in
            .json(#"{"errorCode":"CCE.0\#(status)","errorMessage":"refused"}"#, status: status,
                  headers: status == 429 ? [HTTPHeader("Retry-After", "4")] : [])
        }
        defer { server.stop() }
        let client = try client(server)
        let error = try #require(await failure { () throws(CCEError) in try await client.listJobs() })
        #expect(error.status == status && error.jobID == nil && error.operation == "ListJobs")
        #expect(error.isAuthFailure == (status == 401 || status == 403))
        #expect(error.isNotFound == (status == 404))
        #expect(error.isThrottled == (status == 429) && error.retryAfter == (status == 429 ? .seconds(4) : nil))
        #expect(error.isTransient == (status == 503))
        #expect(error.description.hasPrefix("ListJobs: CCE answered HTTP \(status) [CCE.0\(status)]: refused"))
        if status == 403 { #expect(error.message.contains("cce:job:list")) }
        if status == 404 { #expect(error.message.contains("ListJobs")) }
    }

    @Test func listingForbiddenNamesThePermissionOfThatListing() async throws {
        let server = try LoopbackServer { _ in .json(#"{"errorCode":"CCE.01403001","errorMessage":"Forbidden"}"#, status: 403) }
        defer { server.stop() }
        let client = try client(server)
        let clusters = try #require(await failure { () throws(CCEError) in try await client.listClusters() })
        #expect(clusters.message.contains("cce:cluster:list"))
        let nodes = try #require(await failure { () throws(CCEError) in try await client.listNodes(clusterID: "c-1") })
        #expect(nodes.message.contains("cce:node:list") && nodes.operation == "ListNodes cluster c-1")
    }

    @Test func listingRetriesOnceWithRenewedCredentialsAfterA401() async throws {
        let server = try LoopbackServer { request in
            request.header("X-Auth-Token") == "tok-2"
                ? .json(ListingFixtures.v2Jobs)
                : .json(#"{"error_code":"APIGW.0301","error_msg":"token expires"}"#, status: 401)
        }
        defer { server.stop() }
        let signer = RenewingToken()
        let jobs = try await client(server, credentials: signer).listJobs()
        #expect(jobs.count == 2)
        #expect(server.requests.map { $0.header("X-Auth-Token") } == ["tok-1", "tok-2"])
        #expect(signer.reports == 1)
    }

    @Test func listingRetriesOnlyOnceWhenTheRenewedCredentialsAreRefusedToo() async throws {
        let server = try LoopbackServer { _ in .json(#"{"error_code":"APIGW.0301","error_msg":"token expires"}"#, status: 401) }
        defer { server.stop() }
        let signer = RenewingToken()
        let client = try client(server, credentials: signer)
        let error = try #require(await failure { () throws(CCEError) in try await client.listClusters() })
        #expect(error.isAuthFailure && error.status == 401 && error.operation == "ListClusters")
        #expect(server.requests.count == 2, "one retry, never a loop")
        #expect(signer.reports == 2, "the second refusal is reported too")
    }

    @Test func akskFailuresOnListingsAreNeverRetried() async throws {
        let server = try LoopbackServer { _ in .json(#"{"error_code":"APIGW.0301","error_msg":"bad sig"}"#, status: 401) }
        defer { server.stop() }
        let signer = AKSKSigner(accessKey: Secret("AKTEST"), secretKey: Secret("SKWRONG"), logger: .silent)
        let client = try client(server, credentials: signer)
        let error = try #require(await failure { () throws(CCEError) in try await client.listJobs() })
        #expect(error.isAuthFailure)
        #expect(server.requests.count == 1)
    }

    @Test func listNodesFollowsTheMarkerOverTwoPagesAndSignsTheQuery() async throws {
        let clock = ManualNow()
        let server = try LoopbackServer { request in
            let signed = SDKSignature.verify(method: request.method, path: request.path, query: request.query,
                                             headers: request.headers, body: request.body, now: clock.date) { $0 == "AKTEST" ? "SKTEST" : nil }
            guard signed else { return .json(#"{"error_code":"APIGW.0301","error_msg":"bad sig"}"#, status: 401) }
            guard request.path == "/api/v3/projects/p123/clusters/c-1/nodes" else { return .status(404) }
            switch request.queryItem("marker") {
            case nil: return .json(ListingFixtures.nodePage(0..<2000))
            case ListingFixtures.nodeID(1999)?: return .json(ListingFixtures.nodePage(2000..<2003))
            default: return .json("[]", status: 400)
            }
        }
        defer { server.stop() }
        let signer = AKSKSigner(accessKey: Secret("AKTEST"), secretKey: Secret("SKTEST"), logger: .silent, now: clock.closure)
        let nodes = try await client(server, credentials: signer).listNodes(clusterID: "c-1")
        #expect(nodes.count == 2003)
        #expect(nodes.first?.uid == "node-000000" && nodes.last?.uid == "node-002002")
        #expect(nodes.allSatisfy { $0.clusterID == "c-1" })
        #expect(server.requests.map(\.query) == ["limit=2000", "limit=2000&marker=node-001999"])
    }

    @Test func listNodesEndsWhenTheServerIgnoresTheMarker() async throws {
        let server = try LoopbackServer { _ in .json(ListingFixtures.nodePage(0..<2000)) }
        defer { server.stop() }
        let nodes = try await client(server).listNodes(clusterID: "c-1")
        #expect(nodes.count == 2000, "the repeated page adds nothing")
        #expect(server.requests.count == 2)
    }

    @Test(arguments: ["", "../x", "a/b", "..", "c 1", "c?x=1", String(repeating: "c", count: 129)])
    func invalidClusterIDsNeverReachTheNetwork(id: String) async throws {
        let server = try LoopbackServer { _ in .json("[]") }
        defer { server.stop() }
        let client = try client(server)
        let error = try #require(await failure { () throws(CCEError) in try await client.listNodes(clusterID: id) })
        #expect(error.kind == .invalidJobID && !error.isTransient)
        #expect(error.description.hasPrefix("ListNodes: ") && error.description.contains("cluster ID"))
        #expect(server.requests.isEmpty)
    }

    @Test func fiftyThousandJobListingFitsAndDecodes() async throws {
        let body = ListingFixtures.manyV2Jobs(50_000)
        let server = try LoopbackServer { _ in .respond(headers: [HTTPHeader("Content-Type", "application/json")], body: body) }
        defer { server.stop() }
        let jobs = try await client(server).listJobs()
        #expect(jobs.count == 50_000)
    }

    /// `bodyTooLarge`, so `via: auto` can tell it apart and list clusters instead.
    @Test func oversizedListingIsRefusedAsTooLarge() async throws {
        let server = try LoopbackServer { _ in .respond(body: Data(count: CCEClient.maxListingBytes + 1)) }
        defer { server.stop() }
        let client = try client(server)
        let error = try #require(await failure { () throws(CCEError) in try await client.listJobs() })
        #expect(error.kind == .transport(.bodyTooLarge) && error.operation == "ListJobs")
        #expect(error.description == "ListJobs: CCE request failed: the answer is larger than 32 MiB, more than jobhook reads")
    }

    @Test func transportFailuresNameTheListing() async throws {
        let closed = try RefusingPort()
        defer { withExtendedLifetime(closed) {} }
        let client = CCEClient(endpoint: try CCEEndpoint(url: closed.url("/")), projectID: "p123", http: CurlClient(),
                               credentials: StaticToken(Secret("tok")), timeout: .seconds(5), logger: .silent)
        let error = try #require(await failure { () throws(CCEError) in try await client.listClusters() })
        #expect(error.kind == .transport(.connectionRefused) && error.isTransient)
        #expect(error.operation == "ListClusters" && error.description.hasPrefix("ListClusters: CCE request failed"))
    }
}
