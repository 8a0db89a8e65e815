import CCE
import Foundation
import Testing

@Suite struct JobDecodingTests {
    @Test func documentationExampleDecodesEveryField() throws {
        let job = try Job.decode(Data(JobFixtures.documentationExample.utf8))
        #expect(job.uid == "354331b2c-229a-11e8-9c75-0255ac100ceb")
        #expect(job.type == "CreateCluster")
        #expect(job.phase == "Running")
        #expect(job.reason == "")
        #expect(job.message == nil)
        #expect(job.clusterID == "4d1ecb2c-229a-11e8-9c75-0255ac100ceb")
        #expect(job.resourceID == "6f4dcb2c-229a-11e8-9c75-0255ac100ceb")
        #expect(job.resourceName == "cluster-name")
        #expect(job.extendParam == ["serverID": "bc467e3a-2338-11e8-825b-0255ac100c13"])
        #expect(job.createdAt == GoTimestamp.parse("2018-08-02T08:12:40.672772389Z"))
        #expect(job.updatedAt != nil)
        #expect(job.subJobs.map(\.uid) == ["fd474fab-9606-11e8-baa9-0255ac10215d", "fd474f82-9606-11e8-baa8-0255ac10215d"])
        #expect(job.subJobs.map(\.type) == ["InstallMaster", "CreatePSMCert"])
        #expect(job.subJobs.allSatisfy { $0.phase == "Success" })
        #expect(job.subJobs[1].resourceID == nil)
        #expect(job.subJobs[1].extendParam.isEmpty)
        #expect(!job.isFinished)
    }

    @Test func subJobsWithMissingFieldsDecodeToEmptyValues() throws {
        let json = #"{"spec":{"subJobs":[{}, {"status":{}}, {"metadata":{"uid":"x"}}, null, "junk", {"spec":null,"status":null}]}}"#
        let job = try Job.decode(Data(json.utf8))
        #expect(job.uid == nil && job.phase == nil)
        #expect(job.subJobs.count == 4)
        #expect(job.subJobs[2].uid == "x")
        #expect(job.subJobs.allSatisfy { $0.phase == nil && $0.subJobs.isEmpty })
    }

    @Test func tenLevelDeepTreeKeepsEveryLevel() throws {
        var job = try Job.decode(Data(JobFixtures.chain(depth: 10).utf8))
        var depth = 1
        while let child = job.subJobs.first {
            job = child
            depth += 1
        }
        #expect(depth == 10)
        #expect(job.uid == "leaf" && job.phase == "Failed" && job.reason == "disk full")
    }

    @Test func unknownFieldsAndPhasesAndNullsAreTolerated() throws {
        let json = #"""
        {"kind":"Job","extra":{"deep":[1,2,3]},"metadata":{"uid":"j1","creationTimestamp":null,"updateTimestamp":"yesterday"},
         "spec":{"type":null,"ownerJob":"parent","future":true,"extendParam":{"count":3,"ratio":1.5,"on":true,"gone":null,"obj":{"a":1},"s":"v"}},
         "status":{"phase":"Paused","reason":null,"message":"waiting for quota"}}
        """#
        let job = try Job.decode(Data(json.utf8))
        #expect(job.uid == "j1")
        #expect(job.createdAt == nil && job.updatedAt == nil)
        #expect(job.type == nil)
        #expect(job.ownerJob == "parent")
        #expect(job.phase == "Paused")
        #expect(!Job.isTerminal(job.phase))
        #expect(job.reason == nil)
        #expect(job.message == "waiting for quota")
        #expect(job.extendParam == ["count": "3", "ratio": "1.5", "on": "true", "s": "v"])
    }

    @Test func legacyListJobsShapeIsRead() throws {
        let json = #"{"metadata":{"uid":"old"},"spec":{"type":"CreateNode","clusteruid":"c1","resourceid":"r1","resourcename":"n1","extendparam":{"a":"b"},"subjobs":[{"metadata":{"uid":"s1"},"status":{"status":"Success"}}]},"status":{"status":"Running"}}"#
        let job = try Job.decode(Data(json.utf8))
        #expect(job.clusterID == "c1" && job.resourceID == "r1" && job.resourceName == "n1")
        #expect(job.extendParam == ["a": "b"])
        #expect(job.phase == "Running")
        #expect(job.subJobs.first?.phase == "Success")
    }

    @Test(arguments: [
        ("<html><body>Gateway</body></html>", "HTML page"),
        ("  \n<!DOCTYPE html>", "HTML page"),
        (#"{"metadata":{"uid":"j1"#, "truncated JSON"),
        (#"{"metadata":{"uid":"j1"}"#, "truncated JSON"),
        (#"{"metadata": nope}"#, "malformed JSON"),
        ("", "empty body"),
        ("   ", "empty body"),
        ("[]", "array"),
        ("null", "not a job object"),
        (#""a string""#, "not a job object"),
        ("garbage", "not JSON"),
        ("\u{0}\u{1}binary", "not JSON"),
        // Issue 16: valid JSON nested too deep was called "malformed".
        (#"{"metadata":{"x":"# + String(repeating: "[", count: 600) + String(repeating: "]", count: 600) + "}}", "nested deeper than 512 levels"),
    ])
    func garbageIsADecodingErrorWithoutAnExcerpt(body: String, expected: String) {
        #expect {
            _ = try Job.decode(Data(body.utf8))
        } throws: { error in
            let text = String(describing: error)
            return text.contains(expected) && !text.contains("Gateway") && !text.contains("j1")
        }
    }

    @Test func encodingRoundTripsTheWireShape() throws {
        let job = try Job.decode(Data(JobFixtures.documentationExample.utf8))
        let data = job.encodedJSON()
        let again = try Job.decode(data)
        #expect(again == job)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["kind"] as? String == "Job")
        #expect(object["apiVersion"] as? String == "v3")
        let metadata = try #require(object["metadata"] as? [String: Any])
        let created = try #require(metadata["creationTimestamp"] as? String)
        #expect(created.hasPrefix("2018-08-02 08:12:40.67277") && created.hasSuffix(" +0000 UTC"))
        #expect(GoTimestamp.parse(created) == job.createdAt)
        let spec = try #require(object["spec"] as? [String: Any])
        #expect(spec["clusterUID"] as? String == "4d1ecb2c-229a-11e8-9c75-0255ac100ceb")
        #expect((spec["subJobs"] as? [Any])?.count == 2)
    }

    @Test func encodingOmitsAbsentFields() throws {
        let data = Job(uid: "j", phase: "Running").encodedJSON()
        let text = String(decoding: data, as: UTF8.self)
        #expect(text == #"{"apiVersion":"v3","kind":"Job","metadata":{"uid":"j"},"spec":{},"status":{"phase":"Running"}}"#)
    }
}
