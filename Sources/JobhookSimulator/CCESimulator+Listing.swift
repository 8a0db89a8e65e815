import Hummingbird
import NIOCore

/// The listing routes: ListJobs, ListClusters, ListNodes, and ShowCluster beside them. Each passes the same gate as ShowJob
/// (credentials, then project), is counted on arrival, and may be scripted to fail (`list:` faults).
extension CCESimulator {
    /// ListNodes' page size limit, as CCE documents it.
    static let maxNodePage = 2000

    func addListingRoutes(to router: Hummingbird.Router<BasicRequestContext>, gate: SimulatorGate) {
        let state = state
        let projectID = scenario.projectID
        let listJobs = scenario.listJobs

        /// Counts, checks credentials and project, then answers with `answer` (nil: go on).
        @Sendable func serve(
            _ kind: SimulatedListing, _ request: Request, _ context: BasicRequestContext,
            _ answer: @Sendable (Int, String) async -> Response?,
            _ listing: @Sendable (Int) async -> SimulatorState.ListingAnswer
        ) async throws -> Response {
            let requestID = Self.requestID()
            let number = await state.noteListing(kind)
            if let refusal = await gate.refusal(for: request, requestID: requestID) { return refusal }
            if let projectID, context.parameters.get("project_id") != projectID {
                return SimulatorResponse.error(404, requestID: requestID, message: "project \(projectID) only")
            }
            if let early = await answer(number, requestID) { return early }
            switch await listing(number) {
            case .body(let body): return SimulatorResponse.json(.ok, body, requestID: requestID)
            case .notFound: return SimulatorResponse.error(404, requestID: requestID, message: "The cluster does not exist.")
            case .fault(let fault, let body): return try await Self.respond(with: fault, job: body, requestID: requestID)
            }
        }

        router.get("/api/v2/projects/:project_id/jobs") { request, context -> Response in
            try await serve(.jobs, request, context, { _, requestID in
                switch listJobs {
                case .served: nil
                case .forbidden:
                    SimulatorResponse.error(403, requestID: requestID,
                                            message: "Policy doesn't allow cce:job:list to be performed.")
                case .notFound:
                    SimulatorResponse.error(404, requestID: requestID,
                                            message: "The API does not exist or has not been published in the environment.")
                }
            }, { number in await state.listJobs(request: number) })
        }
        router.get("/api/v3/projects/:project_id/clusters") { request, context -> Response in
            try await serve(.clusters, request, context, { _, _ in nil }, { number in await state.listClusters(request: number) })
        }
        router.get("/api/v3/projects/:project_id/clusters/:cluster_id") { request, context -> Response in
            let clusterID = context.parameters.get("cluster_id") ?? ""
            return try await serve(.showCluster, request, context, { _, _ in nil },
                                   { number in await state.showCluster(clusterID, request: number) })
        }
        router.get("/api/v3/projects/:project_id/clusters/:cluster_id/nodes") { request, context -> Response in
            let clusterID = context.parameters.get("cluster_id") ?? ""
            let query = request.uri.queryParameters
            let limitText = query["limit"].map(String.init)
            let limit = limitText.map { Int($0) ?? -1 } ?? Self.maxNodePage
            let marker = query["marker"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
            return try await serve(.nodes, request, context, { _, requestID in
                guard (1...Self.maxNodePage).contains(limit) else {
                    return SimulatorResponse.error(400, requestID: requestID,
                                                   message: "limit must be an integer from 1 to \(Self.maxNodePage)")
                }
                return nil
            }, { number in await state.listNodes(of: clusterID, limit: limit, marker: marker, request: number) })
        }
    }
}
