import Foundation
import JobhookCore
import Synchronization
import TestSupport
import Testing

/// The stderr writer: logging enqueues and returns; a stalled reader costs dropped lines, counted.
@Suite struct LogSinkTests {
    /// A pipe whose buffer is already full, so the first write(2) of the sink's thread blocks.
    struct FullPipe {
        let read: Int32, write: Int32
        init() throws {
            var fds: [Int32] = [0, 0]
            guard pipe(&fds) == 0 else { throw POSIXError(.EIO) }
            (read, write) = (fds[0], fds[1])
            let flags = fcntl(write, F_GETFL)
            _ = fcntl(write, F_SETFL, flags | O_NONBLOCK)
            let newlines = [UInt8](repeating: UInt8(ascii: "\n"), count: 4096)
            while Foundation.write(write, newlines, newlines.count) > 0 {}
            while Foundation.write(write, newlines, 1) > 0 {}  // the last bytes a 4 KiB write refused
            _ = fcntl(write, F_SETFL, flags)  // blocking again, as stderr is
        }

        /// Reads (bounded) until `done` holds for what arrived, newlines of the filling skipped.
        func drain(until done: ([String]) -> Bool) -> [String] {
            Self.drainOnly(fd: read, until: done)
        }

        func close() {
            Foundation.close(read)
            Foundation.close(write)
        }
    }

    @Test func aFullQueueDropsAndCountsLinesWithoutBlockingAndSaysSoOnceCaughtUp() async throws {
        let pipe = try FullPipe()
        defer { pipe.close() }
        let counted = Mutex(0)
        let sink = LogSink(fileDescriptor: pipe.write, maxLines: 16, droppedNotice: { "dropped \($0)" },
                           onDrop: { counted.withLock { $0 += 1 } })
        let padding = String(repeating: "x", count: 200)
        let started = ContinuousClock.now
        var accepted: [Int] = []
        for n in 0..<1000 where sink.enqueue("line \(n) \(padding)") { accepted.append(n) }
        let took = ContinuousClock.now - started
        #expect(took < .seconds(1), "logging must not wait for the reader (took \(took))")
        // The writer is stuck in write(2) with at most one batch, at most 16 more lines are queued:
        // most of the rest is dropped.
        #expect(accepted.count < 500)
        #expect(sink.droppedTotal == 1000 - accepted.count)
        #expect(counted.withLock { $0 } == sink.droppedTotal)
        #expect(!sink.flush(timeout: .milliseconds(50)), "nothing can be flushed while the reader is stalled")

        let lines = pipe.drain { lines in
            lines.filter { $0.hasPrefix("dropped") }.compactMap { Int($0.split(separator: " ")[1]) }.reduce(0, +) == 1000 - accepted.count
        }
        #expect(sink.flush(timeout: .seconds(5)))
        let logged = lines.filter { $0.hasPrefix("line ") }
        // Whole lines, in order, exactly the accepted ones; then one line with the count.
        #expect(logged == accepted.map { "line \($0) \(padding)" })
        // Each run of drops is reported once, after the lines queued before it.
        #expect(lines.last?.hasPrefix("dropped") == true)
        let reported = lines.filter { $0.hasPrefix("dropped") }.compactMap { Int($0.split(separator: " ")[1]) }
        #expect(reported.reduce(0, +) == 1000 - accepted.count)
    }

    @Test func linesArriveWholeAndInOrderFromManyThreads() async throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        let sink = LogSink(fileDescriptor: fds[1], maxLines: 100_000, maxBytes: 64 << 20, onDrop: {})
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask { for n in 0..<500 { sink.enqueue("w\(worker) \(n) " + String(repeating: "y", count: 5000)) } }
            }
        }
        let reader = FullPipe.drainOnly(fd: fds[0]) { $0.count >= 2000 }
        #expect(sink.flush(timeout: .seconds(5)))
        #expect(reader.count == 2000)
        #expect(reader.allSatisfy { $0.hasSuffix(String(repeating: "y", count: 5000)) && $0.split(separator: " ").count == 3 })
        for worker in 0..<4 {
            #expect(reader.filter { $0.hasPrefix("w\(worker) ") }.map { Int($0.split(separator: " ")[1])! } == Array(0..<500))
        }
        #expect(sink.droppedTotal == 0)
    }
}

extension LogSinkTests.FullPipe {
    /// Reads `fd` (bounded) until `done` holds for the non-empty lines that arrived.
    static func drainOnly(fd: Int32, until done: ([String]) -> Bool) -> [String] {
        var lines: [String] = []
        var partial: [UInt8] = []
        let deadline = ContinuousClock.now + Duration.seconds(10).scaledForTests
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while ContinuousClock.now < deadline {
            var waiter = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&waiter, 1, 50) > 0 else { continue }
            let n = Foundation.read(fd, &buffer, buffer.count)
            guard n > 0 else { continue }
            for byte in buffer[0..<n] {
                if byte == UInt8(ascii: "\n") {
                    if !partial.isEmpty { lines.append(String(decoding: partial, as: UTF8.self)) }
                    partial.removeAll(keepingCapacity: true)
                } else {
                    partial.append(byte)
                }
            }
            if done(lines) { return lines }
        }
        return lines
    }
}
