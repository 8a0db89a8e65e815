internal import CCurl
internal import Foundation
internal import Synchronization
#if canImport(Glibc)
internal import Glibc
#endif

/// One libcurl multi handle driven by one dedicated thread. The multi handle owns the connection
/// cache, so every request through this loop can reuse a kept-alive connection; `curl_multi_poll`
/// blocks this thread only, never the cooperative pool.
///
/// The thread is also a Swift executor (`CurlEventLoop+Executor.swift`): work that mostly waits on
/// this loop's transfers (the poller) can run here, so a request, its answer and the code that
/// handles it never change threads.
///
/// `@unchecked Sendable` because this is the C bridge: the multi handle, the easy-handle pool and the
/// `active` table are touched only on the curl thread; other threads reach it solely through
/// `inbox` (a mutex) and `curl_multi_wakeup`, the one libcurl call documented as thread-safe.
final class CurlEventLoop: @unchecked Sendable {
    enum Command {
        case start(CurlTransfer)
        case cancel(CurlTransfer)
    }

    struct Inbox {
        var commands: [Command] = []
        /// Swift jobs enqueued on this loop as an executor, run in order on the curl thread.
        var jobs: [UnownedJob] = []
        var stopping = false
        /// Set by the curl thread just before it frees the multi handle; afterwards nobody may wake it.
        var closed = false
    }

    private let options: CurlClient.Options
    let multi: UnsafeMutableRawPointer
    let inbox = Mutex(Inbox())
    private let exited = DispatchGroup()
    /// The curl thread's pthread ID (0 until it starts); for "am I on the curl thread?", asked on
    /// every request, so an atomic rather than a lock.
    private let curlThread = Atomic<UInt>(0)
    /// Runs jobs that arrive after the curl thread has exited (serially, as an executor must).
    let lateJobs = DispatchQueue(label: "jobhook-curl-late")

    // Curl thread only.
    private var active: [ObjectIdentifier: CurlTransfer] = [:]
    private var idleHandles: [UnsafeMutableRawPointer] = []
    private let maxIdleHandles = 16

    init(options: CurlClient.Options) {
        CurlGlobal.initializeOnce()
        self.options = options
        // curl_multi_init only fails on allocation failure, which Swift treats as fatal anyway.
        multi = curl_multi_init()!
        exited.enter()
        let thread = Thread { [self] in
            run()
            exited.leave()
        }
        thread.name = "jobhook-curl"
        thread.start()
    }

    /// Hands a transfer to the curl thread. Returns false once the loop has shut down.
    func enqueue(_ transfer: CurlTransfer) -> Bool {
        send(.start(transfer))
    }

    func cancel(_ transfer: CurlTransfer) {
        transfer.cancelRequested.store(true, ordering: .sequentiallyConsistent)
        _ = send(.cancel(transfer))
    }

    /// Stops the thread, failing every outstanding request with `.cancelled`, and waits for it to exit.
    func shutdown() {
        let wasRunning = inbox.withLock { inbox -> Bool in
            guard !inbox.closed else { return false }
            inbox.stopping = true
            curl_multi_wakeup(multi)
            return true
        }
        if wasRunning && !isCurlThread { exited.wait() }
    }

    var isCurlThread: Bool {
        curlThread.load(ordering: .acquiring) == UInt(pthread_self())
    }

    private func send(_ command: Command) -> Bool {
        let onCurlThread = isCurlThread
        return inbox.withLock { inbox in
            guard !inbox.stopping else { return false }
            inbox.commands.append(command)
            // Inside the lock so the multi handle cannot be freed between the check and the wakeup.
            // The curl thread itself looks at the inbox before it next waits: no wakeup needed.
            if !onCurlThread { curl_multi_wakeup(multi) }
            return true
        }
    }

    // MARK: - Curl thread

    private func run() {
        curlThread.store(UInt(pthread_self()), ordering: .releasing)
        var idle = false
        while true {
            if idle { curl_multi_poll(multi, nil, 0, 1000, nil) }
            // Jobs first, a few rounds (a resumed task hops to an actor, which enqueues again):
            // what they send is then started in this same turn.
            var rounds = 0
            while rounds < 8, let jobs = takeJobs() {
                runJobs(jobs)
                rounds += 1
            }
            let (commands, stopping) = inbox.withLock { inbox in
                defer { inbox.commands.removeAll(keepingCapacity: true) }
                return (inbox.commands, inbox.stopping)
            }
            for command in commands {
                switch command {
                case .start(let transfer): start(transfer)
                case .cancel(let transfer): abort(transfer, with: cancelled(transfer))
                }
            }
            if stopping { break }
            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            collectFinished()
            // Wait for the network only when no task resumed here (or arrived meanwhile) is waiting to run.
            idle = inbox.withLock { $0.jobs.isEmpty && $0.commands.isEmpty }
        }
        close()
    }

    /// The queued jobs, or nil when there are none; `closingWhenEmpty` then also closes the executor,
    /// in the same lock, so no job can slip in between "none left" and "closed".
    private func takeJobs(closingWhenEmpty: Bool = false) -> [UnownedJob]? {
        inbox.withLock { inbox in
            if inbox.jobs.isEmpty {
                if closingWhenEmpty { inbox.closed = true }
                return nil
            }
            defer { inbox.jobs.removeAll(keepingCapacity: true) }
            return inbox.jobs
        }
    }

    private func start(_ transfer: CurlTransfer) {
        if transfer.cancelRequested.load(ordering: .sequentiallyConsistent) {
            transfer.complete(.failure(cancelled(transfer)))
            return
        }
        let easy = idleHandles.popLast() ?? curl_easy_init()
        guard let easy else {
            transfer.complete(.failure(HTTPError(.other, "libcurl could not create a handle for \(transfer.target)")))
            return
        }
        do {
            try transfer.configure(easy, options: options)
        } catch {
            release(easy, of: transfer)
            transfer.complete(.failure(error))
            return
        }
        // `active` holds the strong reference that keeps the callbacks' unretained pointer valid
        // until the handle leaves the multi handle.
        active[ObjectIdentifier(transfer)] = transfer
        let added = curl_multi_add_handle(multi, easy)
        if added != CURLM_OK {
            active[ObjectIdentifier(transfer)] = nil
            release(easy, of: transfer)
            transfer.complete(.failure(HTTPError(.other, "libcurl refused the request to \(transfer.target)")))
        }
    }

    private func collectFinished() {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard jh_msg_is_done(message) != 0, let easy = message.pointee.easy_handle else { continue }
            var context: UnsafeMutableRawPointer?
            jh_getinfo_ptr(easy, CURLINFO_PRIVATE, &context)
            guard let context else { continue }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
            let code = jh_msg_result(message)
            let result: Result<HTTPResponse, HTTPError> =
                code == CURLE_OK ? .success(transfer.response()) : .failure(transfer.failure(code))
            abort(transfer, with: nil)
            transfer.complete(result)
        }
    }

    /// Takes a transfer out of the multi handle (if it is there) and completes it with `error`,
    /// or leaves completion to the caller when `error` is nil.
    private func abort(_ transfer: CurlTransfer, with error: HTTPError?) {
        guard active.removeValue(forKey: ObjectIdentifier(transfer)) != nil, let easy = transfer.easy else { return }
        curl_multi_remove_handle(multi, easy)
        release(easy, of: transfer)
        if let error { transfer.complete(.failure(error)) }
    }

    /// Returns a handle to the pool. curl_easy_reset drops every option, so libcurl no longer points
    /// at the transfer's error buffer or context once this returns.
    private func release(_ easy: UnsafeMutableRawPointer, of transfer: CurlTransfer) {
        transfer.detach()
        if idleHandles.count < maxIdleHandles {
            curl_easy_reset(easy)
            idleHandles.append(easy)
        } else {
            curl_easy_cleanup(easy)
        }
    }

    private func cancelled(_ transfer: CurlTransfer) -> HTTPError {
        HTTPError(.cancelled, "request to \(transfer.target) was cancelled")
    }

    private func close() {
        for transfer in Array(active.values) {
            abort(transfer, with: HTTPError(.cancelled, "request to \(transfer.target) was cancelled: the HTTP client shut down"))
        }
        inbox.withLock { inbox in
            for case .start(let transfer) in inbox.commands {
                transfer.complete(.failure(cancelled(transfer)))
            }
            inbox.commands.removeAll()
        }
        // The tasks just failed (and anything else queued here) still run on this thread; only
        // when none is left does the executor hand later jobs to `lateJobs`.
        while let jobs = takeJobs(closingWhenEmpty: true) {
            runJobs(jobs)
        }
        for easy in idleHandles { curl_easy_cleanup(easy) }
        idleHandles.removeAll()
        curl_multi_cleanup(multi)
    }
}
