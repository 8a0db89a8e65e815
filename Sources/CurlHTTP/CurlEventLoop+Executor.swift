internal import CCurl
internal import Dispatch
internal import Synchronization

/// The curl thread as a Swift executor. An actor whose executor this is, and tasks that prefer it,
/// run between libcurl's turns on the curl thread; a request they send is started in the same turn
/// and the task it resumes runs there too, so a poll costs no thread hand-off (bench/run counts
/// context switches per poll).
///
/// Anything that runs here must not block: it would stall every transfer of this client.
extension CurlEventLoop: SerialExecutor, TaskExecutor {
    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let onCurlThread = isCurlThread
        let accepted = inbox.withLock { inbox -> Bool in
            guard !inbox.closed else { return false }
            inbox.jobs.append(job)
            if !onCurlThread { curl_multi_wakeup(multi) }
            return true
        }
        if !accepted {
            // After shutdown: still one at a time, on a private queue.
            lateJobs.async { [self] in runJobs([job]) }
        }
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    func asUnownedTaskExecutor() -> UnownedTaskExecutor {
        UnownedTaskExecutor(ordinary: self)
    }

    func checkIsolated() {
        if isCurlThread { return }
        dispatchPrecondition(condition: .onQueue(lateJobs))
    }

    func runJobs(_ jobs: [UnownedJob]) {
        let serial = asUnownedSerialExecutor()
        let task = asUnownedTaskExecutor()
        for job in jobs {
            job.runSynchronously(isolatedTo: serial, taskExecutor: task)
        }
    }
}
