internal import CCurl
internal import Foundation
internal import Synchronization

/// One request in flight: its easy handle's options, the buffers libcurl's callbacks fill, and the
/// continuation that hands the outcome back to the awaiting task.
///
/// `@unchecked Sendable` because this is the C bridge: after `CurlEventLoop.enqueue` hands a transfer
/// over, every field except `cancelRequested` is touched only on the curl thread (the enqueue goes
/// through a mutex, which orders the caller's writes before the curl thread's reads).
/// `cancelRequested` is atomic because a cancelling task sets it from any thread.
final class CurlTransfer: @unchecked Sendable {
    let request: HTTPRequest
    let target: RequestTarget
    let cancelRequested = Atomic<Bool>(false)

    private var continuation: CheckedContinuation<Result<HTTPResponse, HTTPError>, Never>?
    private(set) var easy: UnsafeMutableRawPointer?
    private var headerList: UnsafeMutablePointer<curl_slist>?
    /// libcurl writes its error text here during the transfer; freed in deinit, after the handle
    /// has been removed from the multi handle and reset (so libcurl no longer points at it).
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var responseHeaders: [HTTPHeader] = []
    private var responseBody = Data()
    private(set) var bodyCapExceeded = false

    init(request: HTTPRequest, target: RequestTarget) {
        self.request = request
        self.target = target
        let size = Int(CURL_ERROR_SIZE)
        errorBuffer = .allocate(capacity: size)
        errorBuffer.initialize(repeating: 0, count: size)
    }

    deinit {
        if let headerList { curl_slist_free_all(headerList) }
        errorBuffer.deallocate()
    }

    func attach(_ continuation: CheckedContinuation<Result<HTTPResponse, HTTPError>, Never>) {
        self.continuation = continuation
    }

    /// Resumes the awaiting task exactly once; later calls are ignored.
    func complete(_ result: Result<HTTPResponse, HTTPError>) {
        guard let continuation else { return }
        self.continuation = nil
        continuation.resume(returning: result)
    }

    /// Sets every option for this request on a fresh or reset easy handle.
    /// `self` is passed to libcurl unretained: the event loop keeps a strong reference to this transfer
    /// for as long as the handle is inside the multi handle, which is the only time callbacks run.
    func configure(_ easy: UnsafeMutableRawPointer, options: CurlClient.Options) throws(HTTPError) {
        self.easy = easy
        let context = Unmanaged.passUnretained(self).toOpaque()
        var failed: CURLcode = CURLE_OK
        func check(_ code: CURLcode) { if code != CURLE_OK && failed == CURLE_OK { failed = code } }

        check(jh_setopt_str(easy, CURLOPT_URL, request.url))
        check(jh_setopt_str(easy, CURLOPT_PROTOCOLS_STR, "http,https"))
        check(jh_setopt_str(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"))
        check(jh_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 0))
        check(jh_setopt_long(easy, CURLOPT_NOSIGNAL, 1))
        check(jh_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, 1))
        check(jh_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, 2))
        if let caBundle = options.caBundlePath { check(jh_setopt_str(easy, CURLOPT_CAINFO, caBundle)) }
        switch options.proxy {
        case .environment: break
        case .none: check(jh_setopt_str(easy, CURLOPT_PROXY, ""))
        case .url(let proxy): check(jh_setopt_str(easy, CURLOPT_PROXY, proxy))
        }
        check(jh_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(request.connectTimeout)))
        check(jh_setopt_long(easy, CURLOPT_TIMEOUT_MS, Self.milliseconds(request.timeout)))
        check(jh_setopt_ptr(easy, CURLOPT_ERRORBUFFER, errorBuffer))
        check(jh_setopt_ptr(easy, CURLOPT_PRIVATE, context))
        check(jh_setopt_callback(easy, CURLOPT_WRITEFUNCTION, curlWriteBody))
        check(jh_setopt_ptr(easy, CURLOPT_WRITEDATA, context))
        check(jh_setopt_callback(easy, CURLOPT_HEADERFUNCTION, curlWriteHeader))
        check(jh_setopt_ptr(easy, CURLOPT_HEADERDATA, context))
        // A declared Content-Length over the cap fails before any byte is buffered.
        check(jh_setopt_off(easy, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(request.maxResponseBytes)))
        check(jh_setopt_str(easy, CURLOPT_USERAGENT, Self.userAgent))
        configureMethodAndBody(easy, check)
        headerList = Self.headerList(for: request)
        check(jh_setopt_slist(easy, CURLOPT_HTTPHEADER, headerList))

        if failed != CURLE_OK {
            throw HTTPError(.other, "could not set up the request to \(target): \(String(cString: curl_easy_strerror(failed)))")
        }
    }

    private func configureMethodAndBody(_ easy: UnsafeMutableRawPointer, _ check: (CURLcode) -> Void) {
        let method = request.method.uppercased()
        if let body = request.body {
            // Size first, then COPYPOSTFIELDS: libcurl copies exactly that many bytes (NUL-safe),
            // so the Data need not outlive this call.
            check(jh_setopt_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)))
            body.withUnsafeBytes { raw in
                let empty: StaticString = ""
                let bytes = raw.baseAddress ?? UnsafeRawPointer(empty.utf8Start)
                check(jh_setopt_ptr(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes)))
            }
            if method != "POST" { check(jh_setopt_str(easy, CURLOPT_CUSTOMREQUEST, request.method)) }
            return
        }
        switch method {
        case "GET": break
        case "HEAD": check(jh_setopt_long(easy, CURLOPT_NOBODY, 1))
        case "POST":
            check(jh_setopt_long(easy, CURLOPT_POST, 1))
            check(jh_setopt_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, 0))
        default: check(jh_setopt_str(easy, CURLOPT_CUSTOMREQUEST, request.method))
        }
    }

    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        let total = seconds.multipliedReportingOverflow(by: 1000)
        guard !total.overflow else { return Int.max }
        return max(1, Int(total.partialValue + attoseconds / 1_000_000_000_000_000))
    }

    // MARK: - Callbacks (curl thread)

    func receiveBody(_ bytes: UnsafePointer<CChar>, count: Int) -> Int {
        guard responseBody.count + count <= request.maxResponseBytes else {
            bodyCapExceeded = true
            return 0 // anything but `count` makes libcurl abort with CURLE_WRITE_ERROR
        }
        bytes.withMemoryRebound(to: UInt8.self, capacity: count) { responseBody.append($0, count: count) }
        return count
    }

    func receiveHeaderLine(_ bytes: UnsafePointer<CChar>, count: Int) -> Int {
        switch Self.parseHeaderLine(UnsafeRawBufferPointer(start: bytes, count: count)) {
        case .status: responseHeaders.removeAll(keepingCapacity: true)
        case .header(let header): responseHeaders.append(header)
        case .other: break
        }
        return count
    }

    /// The response of a transfer libcurl reported as done with `CURLE_OK`.
    func response() -> HTTPResponse {
        var status = 0
        if let easy { jh_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status) }
        return HTTPResponse(status: status, headers: responseHeaders, body: responseBody)
    }

    /// libcurl's own error text, decoded by length (never past the buffer).
    func curlDetail() -> String {
        let size = Int(CURL_ERROR_SIZE)
        let length = (0..<size).first { errorBuffer[$0] == 0 } ?? size
        let raw = UnsafeRawBufferPointer(start: errorBuffer, count: length)
        return String(decoding: raw, as: UTF8.self)
    }

    /// Forgets the handle once it is back in the pool or freed.
    func detach() {
        easy = nil
    }
}

/// C entry points: non-capturing, so they convert to C function pointers. `userdata` is the
/// unretained `CurlTransfer` set in `configure`.
private let curlWriteBody: jh_data_callback = { pointer, size, count, userdata in
    guard let pointer, let userdata else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    return transfer.receiveBody(pointer, count: size * count)
}

private let curlWriteHeader: jh_data_callback = { pointer, size, count, userdata in
    guard let pointer, let userdata else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    return transfer.receiveHeaderLine(pointer, count: size * count)
}
