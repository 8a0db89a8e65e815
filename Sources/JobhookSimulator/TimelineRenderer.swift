import CCE
import Foundation
import Hummingbird

/// Turns a scripted job into the job documents CCE would serve at each step, with wall-clock
/// timestamps derived from the scenario's start and speed.
struct TimelineRenderer {
    var epoch: Date
    var speed: Double

    func timeline(of job: Scenario.ScriptedJob, offset: Duration) -> SimulatorState.Timeline {
        let firstAt = offset + (job.timeline.first?.after ?? .zero)
        let frames = job.timeline.map { step -> SimulatorState.Frame in
            let at = offset + step.after
            let tree = Job(
                uid: job.id, type: job.type, phase: step.phase, reason: step.reason,
                clusterID: job.clusterID, resourceID: job.shownResourceID, resourceName: job.resourceName,
                createdAt: wallTime(firstAt), updatedAt: wallTime(at),
                subJobs: step.subjobs.map { subJob($0, owner: job.id, clusterID: job.clusterID, created: firstAt, at: at) }
            )
            return SimulatorState.Frame(at: at, tree: tree)
        }
        return SimulatorState.Timeline(job: job, frames: frames, expireAt: job.expireAfter.map { offset + $0 })
    }

    func subJob(_ s: Scenario.SubJob, owner: String, clusterID: String?, created: Duration, at: Duration) -> Job {
        Job(uid: s.id, type: s.type, phase: s.phase, reason: s.reason, clusterID: clusterID, ownerJob: owner,
            createdAt: wallTime(created), updatedAt: wallTime(at),
            subJobs: s.subjobs.map { subJob($0, owner: s.id, clusterID: clusterID, created: created, at: at) })
    }

    func wallTime(_ scenarioTime: Duration) -> Date {
        epoch.addingTimeInterval(scenarioTime / .seconds(1) / speed)
    }

    static func encode(_ job: Job) -> ByteBuffer {
        ByteBuffer(bytes: (try? JSONEncoder().encode(job)) ?? Data("{}".utf8))
    }
}
