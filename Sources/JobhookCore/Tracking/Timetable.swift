/// The poller's timetable: a binary min-heap of (due time, job), so picking the next poll is
/// O(log n) with 10,000 watched jobs instead of a timer per job or a scan per tick.
///
/// Every `schedule` makes a new entry with its own number. Rescheduling or removing a job does not
/// search the heap: the poller keeps the number of each job's current entry, and an entry whose
/// number is no longer current is dropped when it reaches the top (lazy deletion). The same number
/// travels with the poll it starts, so an answer for a job that was unwatched (and perhaps watched
/// again) meanwhile is recognised as stale.
struct Timetable {
    struct Entry {
        var due: Duration
        var number: UInt64
        var jobID: String
    }

    private var heap: [Entry] = []
    private var entries: UInt64 = 0

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }
    /// The earliest entry, current or not.
    var first: Entry? { heap.first }

    /// Adds an entry for `jobID` at `due` and returns its number.
    mutating func schedule(_ jobID: String, at due: Duration) -> UInt64 {
        entries += 1
        heap.append(Entry(due: due, number: entries, jobID: jobID))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.before(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
        return entries
    }

    @discardableResult
    mutating func removeFirst() -> Entry? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let entry = heap.removeLast()
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
        return entry
    }

    /// Earlier due first; the number breaks ties so jobs due together go in the order they were scheduled.
    private static func before(_ a: Entry, _ b: Entry) -> Bool {
        a.due != b.due ? a.due < b.due : a.number < b.number
    }
}
