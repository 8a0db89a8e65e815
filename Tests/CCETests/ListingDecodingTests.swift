@testable import CCE
import Foundation
import Testing

@Suite struct ListingDecodingTests {
    func jobs(_ json: String) throws -> [Job] { try Job.decodeList(Data(json.utf8)) }

    @Test func showClusterAnswersOneClusterReadLikeAListedOne() throws {
        let answer = #"{"kind":"Cluster","metadata":{"uid":"c-1","name":"demo"},"spec":{"flavor":"x"},"status":{"phase":"Creating","jobID":"j-1"}}"#
        #expect(try ListedCluster.decode(Data(answer.utf8)) == ListedCluster(uid: "c-1", name: "demo", phase: "Creating", jobID: "j-1"))
        #expect(try ListedCluster.decode(Data(#"{"status":{"jobId":"j-2"}}"#.utf8)).jobID == "j-2")
        for bad in ["[]", "{} {}", "<html>", "", #"{"status": "#] {
            #expect(throws: JobDecodingError.self, "\(bad)") { try ListedCluster.decode(Data(bad.utf8)) }
        }
    }

    @Test func v2JobShapeDecodesIntoTheShowJobModel() throws {
        let list = try jobs(ListingFixtures.v2Jobs)
        #expect(list.map(\.uid) == ["job-1", "job-2"])
        let job = list[0]
        #expect(job.type == "CreateCluster")
        #expect(job.phase == "Running")
        #expect(job.reason == "")
        #expect(job.clusterID == "c-1" && job.resourceID == "r-1" && job.resourceName == "demo")
        #expect(job.extendParam == ["serverID": "s-1", "count": "3"])
        #expect(job.createdAt == GoTimestamp.parse("2018-08-02T08:12:40.672772389Z"))
        #expect(job.updatedAt == GoTimestamp.parse("2018-08-02T08:21:50.478108569Z"))
        #expect(job.subJobs.map(\.uid) == ["job-1-master"])
        #expect(job.subJobs[0].phase == "Failed" && job.subJobs[0].reason == "insufficient quota")
        #expect(list[1].type == "CreateNode" && list[1].phase == "Success")
    }

    @Test func v3NamesAndABareArrayGiveTheSameJobs() throws {
        #expect(try jobs(ListingFixtures.v3Jobs) == jobs(ListingFixtures.v2Jobs))
    }

    @Test func bareArrayAndItemsObjectAreTheSame() throws {
        let items = try jobs(ListingFixtures.v2Jobs)
        let start = try #require(ListingFixtures.v2Jobs.firstIndex(of: "["))
        let end = try #require(ListingFixtures.v2Jobs.lastIndex(of: "]"))
        #expect(try jobs(String(ListingFixtures.v2Jobs[start...end])) == items)
    }

    @Test func unknownAndWrongTypedFieldsAreIgnoredNotFatal() throws {
        let list = try jobs(#"""
            {"kind":"List","total":2,"page":{"next":null},"items":[
              {"metadata":{"uid":"a","creationTimestamp":42,"labels":{"x":[1,2]}},
               "spec":{"type":["CreateCluster"],"clusteruid":{"id":"c"},"subjobs":"none","extendparam":[1],"future":true},
               "status":{"status":7,"reason":null}},
              null, "junk", 3, [],
              {"metadata":"not an object","status":{"phase":"Running"}},
              {}
            ]}
            """#)
        #expect(list.count == 3)
        #expect(list[0].uid == "a" && list[0].createdAt == nil && list[0].type == nil && list[0].clusterID == nil)
        #expect(list[0].subJobs.isEmpty && list[0].extendParam.isEmpty)
        #expect(list[0].phase == "7" && list[0].reason == nil)
        #expect(list[1].uid == nil && list[1].phase == "Running")
        #expect(list[2] == Job())
    }

    @Test func everyElementReadsAsShowJobReadsIt() throws {
        for seed in UInt64(1)...40 {
            var generator = JobDocumentGenerator(seed: seed)
            let documents = (0..<5).map { _ in generator.job(depth: 0, maxDepth: 3) }
            let expected = try documents.map { try JobScanner.scan(Data($0.utf8)).job }
            #expect(try jobs("[" + documents.joined(separator: ",") + "]") == expected, "seed \(seed)")
            #expect(try jobs(#"{"items":["# + documents.joined(separator: ",\n") + "]}") == expected, "seed \(seed)")
        }
    }

    @Test func emptyListingsInEveryShape() throws {
        for json in ["[]", #"{"items":[]}"#, #"{"kind":"List","apiVersion":"v2","items":null}"#,
                     #"{"kind":"List","apiVersion":"v2"}"#, " [ ] \n"] {
            #expect(try jobs(json).isEmpty, "\(json)")
        }
    }

    @Test(arguments: [
        (#"{"items":[{"metadata":{"uid":"a"}"#, "truncated JSON"),
        (#"{"items":[{"metadata":{"uid":"a"}},]}"#, "malformed JSON"),
        (#"[{"a":1}] trailing"#, "malformed JSON"),
        (#"{"error_code":"CCE.01","error_msg":"no"}"#, "a JSON object without items, kind or apiVersion"),
        (#"{"kind":"List","items":"soon"}"#, "items is not an array"),
        (#"{"kind":"List","items":{"a":1}}"#, "items is not an array"),
        ("<html><body>gateway</body></html>", "HTML page, not JSON"),
        ("42", "a single JSON value, not a listing"),
        ("", "empty body"),
        ("\u{1}", "not JSON"),
    ])
    func malformedTopLevelIsADecodingErrorThatNamesTheProblem(json: String, problem: String) {
        #expect(throws: JobDecodingError(problem)) { try Job.decodeList(Data(json.utf8)) }
        #expect(throws: JobDecodingError(problem)) { try ListedCluster.decodeList(Data(json.utf8)) }
    }

    @Test func clustersKeepUIDNamePhaseAndEverySpellingOfJobID() throws {
        let clusters = try ListedCluster.decodeList(Data(ListingFixtures.clusters.utf8))
        #expect(clusters == [
            ListedCluster(uid: "c-1", name: "prod", phase: "Creating", jobID: "job-1"),
            ListedCluster(uid: "c-2", name: "old", phase: "Available", jobID: nil),
            ListedCluster(uid: "c-3", name: "going", phase: "Deleting", jobID: "job-3"),
            ListedCluster(uid: "c-4", name: nil, phase: "Deleting", jobID: "job-4"),
        ])
    }

    @Test func clusterFieldsOfTheWrongTypeReadAsNil() throws {
        let clusters = try ListedCluster.decodeList(Data(#"""
            [{"metadata":{"uid":["x"],"name":{"n":1}},"status":{"phase":null,"jobID":{"id":"j"},"jobId":"j-2"}},
             {"metadata":null,"status":"Available"}, "junk"]
            """#.utf8))
        #expect(clusters == [ListedCluster(jobID: "j-2"), ListedCluster()])
    }

    @Test func nodesCarryTheClusterTheyWereListedFor() throws {
        let nodes = try ListedNode.decodeList(Data(ListingFixtures.nodePage(0..<3).utf8), clusterID: "c-1")
        #expect(nodes.map(\.uid) == ["node-000000", "node-000001", "node-000002"])
        #expect(nodes.allSatisfy { $0.clusterID == "c-1" && $0.phase == "Active" && $0.jobID == nil })
        #expect(nodes[1].name == "n1")
    }

    @Test func fiftyThousandJobsDecode() throws {
        let data = ListingFixtures.manyV2Jobs(50_000)
        #expect(data.count < CCEClient.maxListingBytes)
        let list = try Job.decodeList(data)
        #expect(list.count == 50_000)
        #expect(list.last?.resourceName == "node-49999" && list.allSatisfy { $0.phase == "Success" })
    }
}
