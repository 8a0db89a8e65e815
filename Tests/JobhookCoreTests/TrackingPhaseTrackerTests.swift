import CCE
import Foundation
import JobhookCore
import Testing

@Suite("PhaseTracker")
struct TrackingPhaseTrackerTests {
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    /// CreateCluster ─┬─ InstallMaster ── InstallNode ── (no uid) ── CreatePSMCert
    ///                └─ CreatePSMCert
    func tree(root: String = "Running", master: String = "Running", node: String? = "Initializing",
              deep: String = "Running", cert: String = "Success") -> Job {
        let anonymous = Job(type: "Wrapper", phase: "Running",
                            subJobs: [Job(uid: "deep", type: "CreatePSMCert", phase: deep)])
        let installNode = Job(uid: "node", type: "InstallNode", phase: node, subJobs: [anonymous])
        return Job(uid: "root", type: "CreateCluster", phase: root, subJobs: [
            Job(uid: "master", type: "InstallMaster", phase: master, subJobs: [installNode]),
            Job(uid: "cert", type: "CreatePSMCert", phase: cert),
        ])
    }

    @Test func firstSightingReportsEveryNodeFromEmptyParentBeforeChildren() {
        let changes = PhaseTracker.changes(previous: [:], tree: tree(), rootID: "root", detectedAt: now)
        #expect(changes.map(\.uid) == ["root", "master", "node", "deep", "cert"])
        #expect(changes.allSatisfy { $0.from == "" })
        #expect(changes.map(\.to) == ["Running", "Running", "Initializing", "Running", "Success"])
        #expect(changes.map(\.level) == [.job, .subjob, .subjob, .subjob, .subjob])
        #expect(changes[0].parent == nil)
        #expect(changes[1].parent?.uid == "root")
        #expect(changes[2].parent?.uid == "master")
        #expect(changes.allSatisfy { $0.rootID == "root" && $0.root.uid == "root" && $0.detectedAt == now })
    }

    @Test func nodeWithoutUIDIsSkippedAndItsChildrenGetTheNearestTrackedAncestorAsParent() {
        let changes = PhaseTracker.changes(previous: [:], tree: tree(), rootID: "root", detectedAt: now)
        #expect(!changes.contains { $0.job.type == "Wrapper" })
        let deep = changes.first { $0.uid == "deep" }
        #expect(deep?.parent?.uid == "node")
    }

    @Test func repeatedPollWithNoChangeReportsNothing() {
        let first = tree()
        let recorded = PhaseTracker.phases(of: first)
        #expect(PhaseTracker.changes(previous: recorded, tree: first, rootID: "root", detectedAt: now).isEmpty)
        #expect(PhaseTracker.changes(previous: recorded, tree: tree(), rootID: "root", detectedAt: now).isEmpty)
    }

    @Test func onlyTheNodesWhosePhaseMovedAreReportedWithTheirPreviousPhase() {
        let recorded = PhaseTracker.phases(of: tree())
        let next = tree(master: "Success", deep: "Failed")
        let changes = PhaseTracker.changes(previous: recorded, tree: next, rootID: "root", detectedAt: now)
        #expect(changes.map(\.uid) == ["master", "deep"])
        #expect(changes.map(\.from) == ["Running", "Running"])
        #expect(changes.map(\.to) == ["Success", "Failed"])
    }

    @Test func nodeWithoutPhaseIsSkippedButItsChildrenAreNot() {
        let changes = PhaseTracker.changes(previous: [:], tree: tree(node: nil), rootID: "root", detectedAt: now)
        #expect(changes.map(\.uid) == ["root", "master", "deep", "cert"])
        #expect(PhaseTracker.phases(of: tree(node: nil))["node"] == nil)
    }

    @Test func unknownPhaseIsAPhaseLikeAnyOther() {
        let recorded = PhaseTracker.phases(of: tree())
        let changes = PhaseTracker.changes(previous: recorded, tree: tree(root: "Upgrading"), rootID: "root", detectedAt: now)
        #expect(changes.map(\.to) == ["Upgrading"])
        #expect(!tree(root: "Upgrading", master: "Success", node: "Success", deep: "Success").isFinished)
    }

    @Test func subJobThatDisappearsIsNotReported() {
        let recorded = PhaseTracker.phases(of: tree())
        var shrunk = tree()
        shrunk.subJobs.removeLast()
        #expect(PhaseTracker.changes(previous: recorded, tree: shrunk, rootID: "root", detectedAt: now).isEmpty)
    }

    @Test func phasesRecordsEveryTrackedNode() {
        #expect(PhaseTracker.phases(of: tree()) == [
            "root": "Running", "master": "Running", "node": "Initializing", "deep": "Running", "cert": "Success",
        ])
    }

    @Test func rootWithoutUIDIsTrackedUnderTheWatchedID() {
        var anonymous = tree()
        anonymous.uid = nil
        let changes = PhaseTracker.changes(previous: [:], tree: anonymous, rootID: "root", detectedAt: now)
        #expect(changes.first?.uid == "root")
        #expect(changes.first?.level == .job)
        #expect(changes.dropFirst().first?.parent?.type == "CreateCluster")
    }

    /// Issue 16: a sub-job with its parent's uid made an unchanging answer flap on every poll and
    /// delivered "Success → Failed" for a job that was never Success.
    @Test func aRepeatedUIDIsTrackedAtItsFirstNodeOnly() {
        let tree = Job(uid: "root", type: "CreateCluster", phase: "Failed", subJobs: [
            Job(uid: "root", type: "InstallMaster", phase: "Success"),
            Job(uid: "m", type: "InstallNode", phase: "Failed", subJobs: [Job(uid: "m", type: "Cert", phase: "Success")]),
        ])
        let first = PhaseTracker.changes(previous: [:], tree: tree, rootID: "root", detectedAt: now)
        #expect(first.map(\.uid) == ["root", "m"])
        #expect(first.map(\.to) == ["Failed", "Failed"])
        let recorded = PhaseTracker.phases(of: tree, rootID: "root")
        #expect(recorded == ["root": "Failed", "m": "Failed"])
        // The same answer again: nothing changed, nothing flaps.
        #expect(PhaseTracker.changes(previous: recorded, tree: tree, rootID: "root", detectedAt: now).isEmpty)
        let untrackable = PhaseTracker.untrackable(in: tree, rootID: "root")
        #expect(untrackable.count == 2)
        #expect(untrackable[0].contains("repeats the uid 'root'"), "\(untrackable)")
    }

    /// Issue 16: a sub-job whose uid was not valid UTF-8 (the decoder drops it) vanished without a word.
    @Test func aNodeWithoutUIDIsNamedForTheLog() throws {
        let body = Data(#"{"metadata":{"uid":"root"},"spec":{"type":"CreateCluster","subJobs":[{"metadata":{"uid":"bad\#u{FF}"},"spec":{"type":"InstallMaster"},"status":{"phase":"Failed"}}]},"status":{"phase":"Running"}}"#.utf8)
        var bytes = [UInt8](body)
        if let index = bytes.firstIndex(of: 0xC3) { bytes.replaceSubrange(index...(index + 1), with: [0xFF]) }  // raw invalid byte
        let tree = try Job.decode(Data(bytes))
        #expect(tree.subJobs.first?.uid == nil)
        let untrackable = PhaseTracker.untrackable(in: tree, rootID: "root")
        #expect(untrackable == ["sub-job 'InstallMaster' (phase Failed) has no uid, or one that is not valid UTF-8; its changes cannot be reported"])
        #expect(PhaseTracker.untrackable(in: self.tree(), rootID: "root").isEmpty == false)  // the Wrapper node
    }
}
