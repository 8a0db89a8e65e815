/// The jobs SMN has yet to announce, by when their timelines begin (scenario time). Each job ID is
/// announced once, even when a job of the same ID is added again: CTS records one call per job.
struct SMNAnnouncementQueue {
    /// Latest first, so the next due entry is popped from the end.
    private var pending: [(at: Duration, order: Int, id: String)] = []
    private var announced: Set<String> = []
    private var added = 0

    mutating func add(_ id: String, beginsAt at: Duration) {
        guard !announced.contains(id) else { return }
        added += 1
        let index = pending.firstIndex { ($0.at, $0.order) < (at, added) } ?? pending.count
        pending.insert((at, added, id), at: index)
    }

    /// Job IDs whose timelines have begun by `now`, in the order they began, each returned once.
    mutating func due(at now: Duration) -> [String] {
        var ids: [String] = []
        while let last = pending.last, last.at <= now {
            pending.removeLast()
            if announced.insert(last.id).inserted { ids.append(last.id) }
        }
        return ids
    }

    /// When the next job begins; nil when none is waiting.
    var next: Duration? { pending.last?.at }
}
