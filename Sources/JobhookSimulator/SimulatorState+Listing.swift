import CCE
import NIOCore

/// The listings, served from the same timelines as ShowJob so that what a listing shows and what
/// ShowJob answers for the jobs in it always agree.
extension SimulatorState {
    enum ListingAnswer {
        case body(ByteBuffer)
        case notFound
        case fault(Scenario.Fault, body: ByteBuffer?)
    }

    /// Counts a listing request on arrival (before the credential check) and returns its number, from 1.
    func noteListing(_ kind: SimulatedListing) -> Int {
        let count = (listingCounts[kind] ?? 0) + 1
        listingCounts[kind] = count
        return count
    }

    /// ListJobs: every job whose timeline has begun and that has not expired, in the order given.
    func listJobs(request number: Int) -> ListingAnswer {
        let now = now
        let body = ListingDocument.jobs(order.compactMap { id in
            timelines[id].flatMap { Self.servedFrame(of: $0, at: now)?.listed }
        })
        return answer(.jobs, number, body)
    }

    func listClusters(request number: Int) -> ListingAnswer {
        answer(.clusters, number, ListingDocument.clusters(inventory().clusters))
    }

    /// ShowCluster: the cluster as ListClusters shows it now; `.notFound` when it is not listed.
    func showCluster(_ clusterID: String, request number: Int) -> ListingAnswer {
        let body = inventory().clusters.first { $0.uid == clusterID }.map(ListingDocument.cluster)
        if let fault = listingFaults[.showCluster]?[number] ?? stormFault() { return .fault(fault, body: body) }
        return body.map { .body($0) } ?? .notFound
    }

    /// One ListNodes page; `.notFound` when the cluster is not listed (not begun, or deleted).
    func listNodes(of clusterID: String, limit: Int, marker: String?, request number: Int) -> ListingAnswer {
        let page = inventory().nodes(of: clusterID, limit: limit, after: marker)
        if let fault = listingFaults[.nodes]?[number] ?? stormFault() { return .fault(fault, body: page.map(ListingDocument.nodes)) }
        return page.map { .body(ListingDocument.nodes($0)) } ?? .notFound
    }

    private func answer(_ kind: SimulatedListing, _ number: Int, _ body: ByteBuffer) -> ListingAnswer {
        if let fault = listingFaults[kind]?[number] ?? stormFault() { return .fault(fault, body: body) }
        return .body(body)
    }

    /// The clusters and nodes as of now: every job that has begun, expired or not.
    func inventory() -> SimulatedInventory {
        let now = now
        return SimulatedInventory(order.compactMap { id in
            guard let timeline = timelines[id], let frame = Self.frame(of: timeline, at: now),
                  let began = timeline.frames.first?.at
            else { return nil }
            return SimulatedInventory.Entry(job: timeline.job, began: began, phase: frame.tree.phase)
        })
    }
}
