import CurlHTTP
import Foundation
import Synchronization
import Testing
import TestSupport

/// `CurlClient.executor`: code that runs on the curl thread sends and gets its answers there.
@Suite struct CurlExecutorTests {
    /// An actor on the client's executor, as the poller is.
    actor Caller {
        let executor: any SerialExecutor & TaskExecutor
        let client: CurlClient
        var answered = 0

        nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

        init(_ client: CurlClient) {
            self.client = client
            executor = client.executor
        }

        /// The thread before and after the request, and the status.
        func get(_ url: String) async throws -> (before: UInt, after: UInt, status: Int) {
            let before = UInt(pthread_self())
            let status = try await client.send(HTTPRequest(url: url)).status
            answered += 1
            return (before, UInt(pthread_self()), status)
        }
    }

    @Test func anActorOnTheExecutorSendsAndResumesOnTheCurlThread() async throws {
        let server = try LoopbackServer { _ in .status(204) }
        defer { server.stop() }
        let client = CurlClient()
        defer { client.shutdown() }
        let caller = Caller(client)

        let testThread = UInt(pthread_self())
        let answers = try await withThrowingTaskGroup(of: (before: UInt, after: UInt, status: Int).self) { group in
            for _ in 0..<20 { group.addTask { try await caller.get(server.url("/x")) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(answers.count == 20)
        #expect(answers.allSatisfy { $0.status == 204 })
        let threads = Set(answers.flatMap { [$0.before, $0.after] })
        #expect(threads.count == 1, "every turn of the actor runs on the one curl thread")
        #expect(threads.first != testThread)
        #expect(await caller.answered == 20)
    }

    @Test func tasksPreferringTheExecutorRunThereAndKeepRunningAfterShutdown() async throws {
        let server = try LoopbackServer { _ in .status(200) }
        defer { server.stop() }
        let client = CurlClient()
        let executor = client.executor

        let onCurlThread = try await Task(executorPreference: executor) {
            let before = UInt(pthread_self())
            _ = try await client.send(HTTPRequest(url: server.url("/")))
            return before == UInt(pthread_self())
        }.value
        #expect(onCurlThread)

        client.shutdown()
        // Work that arrives later still runs (serially, elsewhere) and learns the client is gone.
        let late = await Task(executorPreference: executor) { () -> HTTPError.Kind? in
            do {
                _ = try await client.send(HTTPRequest(url: server.url("/")))
                return nil
            } catch {
                return (error as? HTTPError)?.kind
            }
        }.value
        #expect(late == .cancelled)
    }
}
