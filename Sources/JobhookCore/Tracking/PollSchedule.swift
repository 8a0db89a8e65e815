/// The poller's timetable: a binary min-heap of (due time, job) so that picking the next poll is
/// O(log n) with 10,000 watched jobs, instead of a timer per job or a scan per tick. Rescheduling or
/// removing a job does not search the heap: each entry carries a ticket, and an entry whose ticket
/// is no longer the job's current one is dropped when it reaches the top (lazy deletion).
struct PollSchedule {
    struct Slot {
        var due: Duration
        var ticket: UInt64
        var jobID: String
    }

    private var heap: [Slot] = []

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }
    var top: Slot? { heap.first }

    mutating func insert(_ slot: Slot) {
        heap.append(slot)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.before(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    @discardableResult
    mutating func removeTop() -> Slot? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let slot = heap.removeLast()
        var parent = 0
        let n = heap.count
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var first = parent
            if left < n, Self.before(heap[left], heap[first]) { first = left }
            if right < n, Self.before(heap[right], heap[first]) { first = right }
            if first == parent { break }
            heap.swapAt(parent, first)
            parent = first
        }
        return slot
    }

    /// Earlier due first; the ticket breaks ties so jobs due together go in the order they were scheduled.
    private static func before(_ a: Slot, _ b: Slot) -> Bool {
        a.due != b.due ? a.due < b.due : a.ticket < b.ticket
    }
}
