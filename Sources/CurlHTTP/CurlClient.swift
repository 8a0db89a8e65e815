internal import CCurl
internal import Synchronization

/// The production `HTTPClient`: libcurl's multi interface on one dedicated thread, so connections
/// stay alive across requests and no cooperative-pool thread ever blocks on the network.
///
/// Create one per process (or per independent component) and share it; call `shutdown()` when done
/// (deinit does it too). Every request gets its own timeouts and body cap from `HTTPRequest`.
public final class CurlClient: HTTPClient {
    /// Which proxy libcurl uses. The default ignores `http_proxy`/`https_proxy` so that a stray
    /// environment variable cannot silently reroute webhooks; opt in with `.environment`.
    public enum Proxy: Sendable, Hashable {
        case none
        case environment
        case url(String)
    }

    public struct Options: Sendable, Hashable {
        /// PEM bundle of trusted CAs; nil uses the system's default store.
        public var caBundlePath: String?
        public var proxy: Proxy

        public init(caBundlePath: String? = nil, proxy: Proxy = .none) {
            self.caBundlePath = caBundlePath
            self.proxy = proxy
        }
    }

    private let loop: CurlEventLoop

    public init(options: Options = Options()) {
        loop = CurlEventLoop(options: options)
    }

    public convenience init(caBundlePath: String?) {
        self.init(options: Options(caBundlePath: caBundlePath))
    }

    deinit {
        loop.shutdown()
    }

    /// Sends one request. The URL is checked (http/https only) before any I/O; cancelling the
    /// calling task aborts the transfer and throws `.cancelled`.
    public func send(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        let target = try RequestTarget(url: request.url)
        let transfer = CurlTransfer(request: request, target: target)
        let loop = self.loop
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<HTTPResponse, HTTPError>, Never>) in
                transfer.attach(continuation)
                if !loop.enqueue(transfer) {
                    transfer.complete(.failure(HTTPError(.cancelled, "request to \(target) was not sent: the HTTP client has shut down")))
                }
            }
        } onCancel: {
            loop.cancel(transfer)
        }
        return try result.get()
    }

    /// The curl thread as an executor: code that awaits this client's answers and runs here
    /// (the poller) never changes threads between a request and its handling. It must not block.
    public var executor: any SerialExecutor & TaskExecutor { loop }

    /// Stops the curl thread; outstanding and later requests fail with `.cancelled`. Idempotent.
    public func shutdown() {
        loop.shutdown()
    }
}
