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
        check(jh_setopt_str(easy, CURLOPT_USERAGENT, "jobhook/\(JobhookVersion.current)"))
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

    /// The request's headers as given, CR/LF stripped (a templated value must not inject lines),
    /// plus blanks that stop libcurl adding its own `Expect`, `Accept` and form `Content-Type`.
    private static func headerList(for request: HTTPRequest) -> UnsafeMutablePointer<curl_slist>? {
        var lines: [String] = []
        for header in request.headers {
            // Unicode scalars, not Characters: "\r\n" is one Character and would slip past.
            let name = String(String.UnicodeScalarView(header.name.unicodeScalars.filter { !":\r\n".unicodeScalars.contains($0) }))
            let value = String(String.UnicodeScalarView(header.value.unicodeScalars.map { $0 == "\r" || $0 == "\n" ? " " : $0 }))
                .trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else { continue }
            // "Name;" is libcurl's spelling for a header sent with an empty value.
            lines.append(value.isEmpty ? "\(name);" : "\(name): \(value)")
        }
        for suppressed in ["Expect", "Accept", "Content-Type"] where request.header(suppressed) == nil {
            lines.append("\(suppressed):")
        }
        var list: UnsafeMutablePointer<curl_slist>?
        for line in lines {
            // curl_slist_append copies the string; on allocation failure keep what we have.
            if let extended = curl_slist_append(list, line) { list = extended }
        }
        return list
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
        let raw = UnsafeRawBufferPointer(start: bytes, count: count)
        let line = String(decoding: raw, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if line.hasPrefix("HTTP/") {
            // A new status line: earlier headers belonged to a 1xx or a previous response.
            responseHeaders.removeAll(keepingCapacity: true)
        } else if let colon = line.firstIndex(of: ":") {
            let name = String(line[..<colon]).trimmingCharacters(in: .whitespaces)
            let value = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            responseHeaders.append(HTTPHeader(name, value))
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
