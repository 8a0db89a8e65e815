import Foundation
import Testing
import TestSupport

/// README (Commands; State and restarts): `run` exits 1 when the state store cannot be used, with the
/// store's message naming the file; a bad config stays 2. Nothing here reaches CCE: start-up stops
/// before the first poll.
@Suite struct StoreStartupTests {
    func writeConfig(_ dir: TempDirectory, state: String, extra: String = "") throws -> String {
        try dir.write("rules.yaml", """
            cce:
              region: cn-north-4
              endpoint: http://127.0.0.1:9
              project_id: p1
              auth: {token: t}
            state:
              path: \(state)
            server:
              listen: ~
            receivers:
              - name: chat
                url: http://127.0.0.1:9/hook
            rules:
              - name: failed
                match: {phase: Failed}
                notify: [chat]
            \(extra)
            """)
    }

    /// `jobhook run -c config` to its end (bounded); the exit status, nil if it had to be killed.
    func run(_ config: String) async throws -> (status: Int32?, stderr: String) {
        let process = try ChildProcess(jobhookBinary(), ["run", "-c", config])
        let status = await process.waitForExit(timeout: .seconds(20))
        if status == nil { await process.kill9() }
        return (status, process.stderr)
    }

    @Test func runExitsOneWhenStatePathIsADirectory() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanUp() }
        let state = dir.file("state")
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let run = try await run(try writeConfig(dir, state: state))
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains("state store \(state): is a directory"), "\(run.stderr)")
    }

    @Test func runExitsOneWhenTheStateFileIsCorrupt() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanUp() }
        let state = try dir.write("state.sqlite", String(repeating: "not a jobhook state store\n", count: 400))
        let run = try await run(try writeConfig(dir, state: state))
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains("state store \(state): is not a jobhook state store or is damaged"), "\(run.stderr)")
        #expect(run.stderr.contains("move it aside"))
    }

    @Test func aBadConfigStillExitsTwo() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanUp() }
        let run = try await run(try writeConfig(dir, state: dir.file("state.sqlite"), extra: "bogus_key: 1"))
        #expect(run.status == 2, "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("state.sqlite")), "a bad config opens no store")
    }

    /// Two daemons on one file would both resume the same pending deliveries (the sweep saw each
    /// webhook 9 times): the second refuses, naming the first; a SIGKILLed holder leaves no stale lock.
    @Test func aSecondDaemonOnTheSameStoreRefusesNamingTheFirst() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanUp() }
        let config = try writeConfig(dir, state: dir.file("state.sqlite"))
        let first = try ChildProcess(jobhookBinary(), ["run", "-c", config])
        #expect(await first.waitForLine(containing: "running", in: .stderr) != nil, "\(first.stderr)")
        let second = try await run(config)
        #expect(second.status == 1, "\(second.stderr)")
        #expect(second.stderr.contains("is in use by jobhook pid \(first.pid)"), "\(second.stderr)")
        await first.kill9()
        let third = try ChildProcess(jobhookBinary(), ["run", "-c", config])
        #expect(await third.waitForLine(containing: "running", in: .stderr) != nil, "\(third.stderr)")
        await third.kill9()
    }
}
