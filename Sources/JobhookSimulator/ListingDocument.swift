import Foundation
import NIOCore

/// The bodies of the simulated listings, in the shapes the reference documents: ListJobs as
/// `{"kind":"List","apiVersion":"v2","items":[V2Job…]}`, ListClusters and ListNodes with
/// `metadata.uid`/`name` and `status.phase`/`jobID` (no `jobID` key when there is none).
enum ListingDocument {
    /// Joins pre-rendered V2Job documents: a listing costs a copy of bytes, not an encode per job.
    static func jobs(_ elements: [ByteBuffer]) -> ByteBuffer {
        let head = #"{"kind":"List","apiVersion":"v2","items":["#
        var out = ByteBuffer()
        out.reserveCapacity(head.utf8.count + 2 + elements.reduce(0) { $0 + $1.readableBytes + 1 })
        out.writeString(head)
        for (index, element) in elements.enumerated() {
            if index > 0 { out.writeString(",") }
            out.writeImmutableBuffer(element)
        }
        out.writeString("]}")
        return out
    }

    static func clusters(_ clusters: [SimulatedInventory.Resource]) -> ByteBuffer {
        resources(clusters, listKind: "Cluster", itemKind: "Cluster")
    }

    static func nodes(_ nodes: [SimulatedInventory.Resource]) -> ByteBuffer {
        resources(nodes, listKind: "List", itemKind: "Node")
    }

    /// ShowCluster's answer: one ListClusters item.
    static func cluster(_ cluster: SimulatedInventory.Resource) -> ByteBuffer {
        encode(item(cluster, kind: "Cluster"))
    }

    private struct List: Encodable {
        var kind: String
        var apiVersion = "v3"
        var items: [Item]
    }

    private struct Item: Encodable {
        struct Metadata: Encodable { var uid: String; var name: String }
        struct Status: Encodable { var phase: String; var jobID: String? }
        var kind: String
        var apiVersion = "v3"
        var metadata: Metadata
        var status: Status
    }

    private static func resources(_ resources: [SimulatedInventory.Resource], listKind: String, itemKind: String) -> ByteBuffer {
        encode(List(kind: listKind, items: resources.map { item($0, kind: itemKind) }))
    }

    private static func item(_ resource: SimulatedInventory.Resource, kind: String) -> Item {
        Item(kind: kind, metadata: .init(uid: resource.uid, name: resource.name),
             status: .init(phase: resource.phase, jobID: resource.jobID))
    }

    private static func encode(_ value: some Encodable) -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return ByteBuffer(bytes: (try? encoder.encode(value)) ?? Data("{}".utf8))
    }
}
