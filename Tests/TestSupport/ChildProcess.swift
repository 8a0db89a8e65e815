public import Foundation
import Synchronization

/// A real `jobhook` (or other) process for end-to-end tests: output captured, bounded waits, and
/// always killed when the test is done.
public final class ChildProcess: Sendable {
    private let process: Process
    private let output = OutputBuffer()
    private let errors = OutputBuffer()

    /// Starts `executable` with `arguments`; `environment` adds to (or overrides) this process's.
    /// `standardError` replaces the captured stderr pipe (then `stderr` stays empty).
    public init(_ executable: String, _ arguments: [String], environment: [String: String] = [:], directory: String? = nil,
                standardError: FileHandle? = nil) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = standardError ?? err
        process.standardInput = FileHandle.nullDevice
        self.process = process
        let output = self.output, errors = self.errors
        // The handlers are never cleared from inside themselves: cancelling a read source from its
        // own handler as the pipe closes is the likeliest cause of a crash in libdispatch's event
        // loop seen once in a suite run (stop 22). `waitForExit` waits for the output to settle.
        out.fileHandleForReading.readabilityHandler = { handle in
            output.append(handle.availableData)
        }
        err.fileHandleForReading.readabilityHandler = { handle in
            errors.append(handle.availableData)
        }
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    public var pid: Int32 { process.processIdentifier }
    public var stdout: String { output.text }
    public var stderr: String { errors.text }
    public var isRunning: Bool { process.isRunning }
    /// The exit status; only meaningful once the process has ended.
    public var exitStatus: Int32 { process.terminationStatus }

    public enum Stream: Sendable { case stdout, stderr }

    /// Waits until standard output (or error) has a line containing `text`; returns that line.
    public func waitForLine(containing text: String, in stream: Stream = .stdout, timeout: Duration = .seconds(20)) async -> String? {
        var found: String?
        _ = await eventually(timeout: timeout, interval: .milliseconds(20)) {
            let captured = stream == .stdout ? stdout : stderr
            found = captured.split(separator: "\n").first { $0.contains(text) }.map(String.init)
            return found != nil || !isRunning
        }
        return found
    }

    public func signal(_ signal: Int32) {
        if process.isRunning { kill(process.processIdentifier, signal) }
    }

    /// Waits (bounded) for the process to exit; returns its status, or nil if it is still running
    /// (after which it is killed).
    @discardableResult
    public func waitForExit(timeout: Duration = .seconds(20)) async -> Int32? {
        let exited = await eventually(timeout: timeout, interval: .milliseconds(20)) { !process.isRunning }
        if !exited {
            signal(SIGKILL)
            _ = await eventually(timeout: .seconds(5)) { !process.isRunning }
            return nil
        }
        await drainOutput()
        return process.terminationStatus
    }

    /// After exit, until nothing new arrived for 50 ms, and at most a second: output written just
    /// before exiting must not be lost to a test that reads it at once.
    private func drainOutput() async {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(1)
        var last = (output.count, errors.count, clock.now)
        while clock.now < deadline {
            try? await clock.sleep(for: .milliseconds(10))
            let now = (output.count, errors.count)
            if now != (last.0, last.1) { last = (now.0, now.1, clock.now) } else if clock.now - last.2 >= .milliseconds(50) { return }
        }
    }

    /// SIGKILL and reap.
    public func kill9() async {
        signal(SIGKILL)
        _ = await eventually(timeout: .seconds(5)) { !process.isRunning }
    }
}

/// The built `jobhook` binary: `$JOBHOOK_BIN` (set by scripts/test), else `.build/debug/jobhook`
/// relative to the package root.
public func jobhookBinary(file: String = #filePath) -> String {
    if let path = ProcessInfo.processInfo.environment["JOBHOOK_BIN"], !path.isEmpty { return path }
    return packageRoot(file: file) + "/.build/debug/jobhook"
}

/// The folder holding Package.swift (for the repository's scripts), found from this source file.
public func packageRoot(file: String = #filePath) -> String {
    var url = URL(fileURLWithPath: file)
    while url.path != "/" {
        url.deleteLastPathComponent()
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url.path }
    }
    return "."
}

/// A temp directory removed on `cleanUp()`.
public struct TempDirectory: Sendable {
    public let path: String

    public init(_ prefix: String = "jobhook-test") throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    @discardableResult
    public func write(_ name: String, _ text: String) throws -> String {
        let target = file(name)
        try text.write(toFile: target, atomically: true, encoding: .utf8)
        return target
    }

    public func cleanUp() { try? FileManager.default.removeItem(atPath: path) }
}

/// Bytes a pipe delivered so far, shared with the pipe's reader thread.
final class OutputBuffer: Sendable {
    private let data = Mutex(Data())
    func append(_ bytes: Data) { data.withLock { $0.append(bytes) } }
    var text: String { data.withLock { String(decoding: $0, as: UTF8.self) } }
    var count: Int { data.withLock { $0.count } }
}
