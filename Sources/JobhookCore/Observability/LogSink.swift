import Foundation
import Synchronization

/// Where log lines go: a bounded queue drained by one dedicated thread that writes them to a file
/// descriptor (standard error). Logging only enqueues, so a stderr nobody reads can never stall the
/// thread that logged — which matters because the poller runs on the curl thread. When the queue is
/// full the line is dropped and counted (`jobhook_log_lines_dropped_total`); once the writer catches
/// up it writes one line saying how many were lost. Each line is written whole, by one thread, in
/// the order it was logged.
public final class LogSink: Sendable {
    private struct State {
        var lines: [String] = []
        var bytes = 0
        /// Lines refused since the writer last took the queue.
        var dropped = 0
        var droppedTotal = 0
        /// The writer has taken a batch and not finished writing it.
        var writing = false
        /// The writer waits on `wakeUp`; the next enqueue signals it (once).
        var writerIdle = false
        var started = false
    }

    // A lock (not an actor) because logging is synchronous and happens on every thread, including
    // the curl thread; it is held only to append to or swap out an array, never across write(2).
    private let state = Mutex(State())
    private let wakeUp = DispatchSemaphore(value: 0)
    private let fileDescriptor: Int32
    private let maxLines: Int
    private let maxBytes: Int
    private let droppedNotice: @Sendable (Int) -> String
    private let onDrop: @Sendable () -> Void

    /// - Parameters:
    ///   - droppedNotice: the line written when the writer catches up after `n` lines were dropped.
    ///   - onDrop: called (by the logging thread, outside the lock) for each dropped line.
    public init(
        fileDescriptor: Int32 = 2, maxLines: Int = 4096, maxBytes: Int = 1 << 20,
        droppedNotice: @escaping @Sendable (Int) -> String = { "\($0) log lines dropped: standard error was not drained" },
        onDrop: @escaping @Sendable () -> Void = JobhookMetrics.logLineDropped
    ) {
        self.fileDescriptor = fileDescriptor
        self.maxLines = maxLines
        self.maxBytes = maxBytes
        self.droppedNotice = droppedNotice
        self.onDrop = onDrop
    }

    /// Queues `line` (without its newline); false when the queue was full and the line was dropped.
    /// Never blocks on I/O.
    @discardableResult
    public func enqueue(_ line: String) -> Bool {
        let size = line.utf8.count + 1
        let (accepted, signal, start) = state.withLock { state -> (Bool, Bool, Bool) in
            let start = !state.started
            state.started = true
            guard state.lines.count < maxLines, state.bytes + size <= maxBytes || state.lines.isEmpty else {
                state.dropped += 1
                state.droppedTotal += 1
                return (false, false, start)
            }
            state.lines.append(line)
            state.bytes += size
            let signal = state.writerIdle
            state.writerIdle = false
            return (true, signal, start)
        }
        if start { startWriter() }
        if signal { wakeUp.signal() }
        if !accepted { onDrop() }
        return accepted
    }

    /// Waits until every queued line is written, for at most `timeout`; false if that did not happen
    /// (standard error is not being read). For the end of a short command.
    @discardableResult
    public func flush(timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            let done = state.withLock { !$0.started || ($0.lines.isEmpty && $0.dropped == 0 && !$0.writing) }
            if done { return true }
            if ContinuousClock.now >= deadline { return false }
            usleep(1000)
        }
    }

    /// Lines dropped since this sink was made.
    public var droppedTotal: Int { state.withLock { $0.droppedTotal } }

    private func startWriter() {
        let thread = Thread { [self] in writeForever() }
        thread.name = "jobhook-log"
        thread.start()
    }

    private func writeForever() {
        while true {
            let batch = state.withLock { state -> (lines: [String], dropped: Int)? in
                state.writing = false
                guard !state.lines.isEmpty || state.dropped > 0 else {
                    state.writerIdle = true
                    return nil
                }
                defer {
                    state.lines = []
                    state.lines.reserveCapacity(64)
                    state.bytes = 0
                    state.dropped = 0
                    state.writing = true
                }
                return (state.lines, state.dropped)
            }
            guard let batch else {
                wakeUp.wait()
                continue
            }
            // The dropped lines were refused after every line of this batch had been queued.
            for line in batch.lines { write(line) }
            if batch.dropped > 0 { write(droppedNotice(batch.dropped)) }
        }
    }

    /// One line and its newline, whole: retried on EINTR and partial writes, waiting out EAGAIN.
    private func write(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                let n = Foundation.write(fileDescriptor, base + offset, buffer.count - offset)
                if n > 0 {
                    offset += n
                } else if n < 0, errno == EINTR {
                    continue
                } else if n < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                    var waiter = pollfd(fd: fileDescriptor, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&waiter, 1, 100)
                } else {
                    return  // closed or broken: the line is lost, as it would be with any logger
                }
            }
        }
    }
}
