import Foundation

/// What SMN publishing needs from the timelines: which jobs have begun since it last asked, and the
/// scripts behind job IDs.
extension SimulatorState {
    /// Jobs whose timelines began since the last call, each with the wall-clock time it began (the
    /// trace's `time`), and how long (real time) until the next one begins.
    func dueAnnouncements() -> (jobs: [(job: Scenario.ScriptedJob, began: Date)], wait: Duration?) {
        guard var queue = announcements else { return ([], nil) }
        let now = now
        let renderer = TimelineRenderer(epoch: epoch, speed: speed)
        let jobs = queue.due(at: now).compactMap { id -> (Scenario.ScriptedJob, Date)? in
            guard let timeline = timelines[id] else { return nil }
            return (timeline.job, renderer.wallTime(timeline.frames.first?.at ?? now))
        }
        announcements = queue
        return (jobs, queue.next.map { max(.zero, ($0 - now) / speed) })
    }

    /// The script of a top-level job, begun or not.
    func scriptedJob(_ id: String) -> Scenario.ScriptedJob? { timelines[id]?.job }
}
