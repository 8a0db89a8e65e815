public import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One daemon per SQLite state file. Two `jobhook run` on one file would both resume the same
/// pending deliveries and send each of them twice (or nine times); SQLite's own locks only make
/// them take turns. So the daemon holds an exclusive `flock` on `STATE.lock` beside the file for its
/// whole life, and writes who it is into it, so the second daemon can name the holder when it
/// refuses to start.
///
/// `flock` belongs to the open file description: the kernel drops it when the holder exits, however
/// it exits (SIGKILL included), so a crash never leaves a stale lock behind. Commands that only
/// inspect or re-drive the queue (`jobhook deliveries`) do not take it: they are meant to run beside
/// the daemon.
public final class StateLock: Sendable {
    /// `STATE.lock`.
    public let path: String
    private let descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// The lock file for the store at `storePath`.
    public static func path(forStore storePath: String) -> String { storePath + ".lock" }

    /// Takes the lock or says who holds it.
    /// - Parameter holder: what to write into the file for the next daemon to read.
    public static func acquire(storePath: String, holder: String = StateLock.describeThisProcess()) throws(StoreError) -> StateLock {
        let path = path(forStore: storePath)
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            let reason = String(cString: strerror(errno))
            throw StoreError(.unwritable, path: storePath, message: """
                cannot create its lock file \(path) (\(reason)); check that jobhook may write to that directory
                """)
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let busy = errno == EWOULDBLOCK
            let reason = String(cString: strerror(errno))
            let written = readAll(descriptor)
            close(descriptor)
            guard busy else {
                throw StoreError(.io, path: storePath, message: "cannot lock \(path) (\(reason))")
            }
            let who = written.isEmpty ? "another jobhook that is still starting" : written
            throw StoreError(.inUse, path: storePath, message: """
                is in use by \(who) (it holds \(path)); stop that daemon first, or give this one its own \
                state.path — two daemons on one store would send every notification twice
                """)
        }
        _ = ftruncate(descriptor, 0)
        let text = Array(holder.utf8)
        _ = text.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        return StateLock(path: path, descriptor: descriptor)
    }

    /// "jobhook pid 1234 on host-a, started 2026-12-06T20:31:07Z".
    public static func describeThisProcess(now: Date = Date()) -> String {
        let host = ProcessInfo.processInfo.hostName
        let started = ISO8601DateFormatter().string(from: now)
        return "jobhook pid \(getpid()) on \(host), started \(started)"
    }

    /// What the holder wrote, printable and bounded (the file is ours, but a person may have edited it).
    private static func readAll(_ descriptor: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return "" }
        let text = String(decoding: buffer[..<count], as: UTF8.self)
        return PrintableText.escape(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
