internal import CCurl
internal import Foundation
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

extension CurlTransfer {
    /// Classifies a failed transfer. Messages are one line and name only `host:port`.
    ///
    /// A timeout before the TCP connection was made counts as `.connectFailed` (the receiver was never
    /// reached); once connected it is `.timeout`. Both are transient, so retry logic treats them alike.
    func failure(_ code: CURLcode) -> HTTPError {
        let kind = kind(of: code)
        var message = summary(kind, code)
        if let detail = target.vetted(curlDetail()) ?? target.vetted(String(cString: curl_easy_strerror(code))) {
            message += " (\(detail))"
        }
        return HTTPError(kind, message)
    }

    private func kind(of code: CURLcode) -> HTTPError.Kind {
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .dns
        case CURLE_COULDNT_CONNECT:
            return osErrno() == Int(ECONNREFUSED) ? .connectionRefused : .connectFailed
        case CURLE_OPERATION_TIMEDOUT:
            return connectedOnce() ? .timeout : .connectFailed
        case CURLE_SSL_CONNECT_ERROR, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED,
             CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER, CURLE_USE_SSL_FAILED, CURLE_SSL_SHUTDOWN_FAILED:
            return .tls
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CRL_BADFILE,
             CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS:
            return .certificate
        case CURLE_WRITE_ERROR where bodyCapExceeded, CURLE_FILESIZE_EXCEEDED:
            return .bodyTooLarge
        // curl refuses an HTTP/0.9 reply with UNSUPPORTED_PROTOCOL, the code of an unknown scheme;
        // only the second happens before a connection.
        case CURLE_UNSUPPORTED_PROTOCOL where connectedOnce(), CURLE_WEIRD_SERVER_REPLY:
            return .notHTTP
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return .invalidURL
        case CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE, CURLE_GOT_NOTHING:
            return .connectionLost
        default:
            return .other
        }
    }

    private func summary(_ kind: HTTPError.Kind, _ code: CURLcode) -> String {
        let connectLimit = Self.describe(request.connectTimeout)
        switch kind {
        case .dns: return "could not resolve host \(target.host)"
        case .connectionRefused: return "connection refused by \(target)"
        case .connectFailed where code == CURLE_OPERATION_TIMEDOUT:
            return "could not connect to \(target) within \(connectLimit)"
        case .connectFailed: return "could not connect to \(target)"
        case .timeout: return "timed out after \(Self.describe(request.timeout)) talking to \(target)"
        case .tls: return "TLS handshake with \(target) failed"
        case .certificate: return "the certificate of \(target) did not verify"
        case .bodyTooLarge: return "response from \(target) is larger than \(request.maxResponseBytes) bytes"
        case .invalidURL: return "invalid URL for \(target)"
        case .connectionLost: return "connection to \(target) broke before the response was complete"
        case .notHTTP: return "\(target) did not answer in HTTP/1.x or HTTP/2 (an HTTP/0.9 reply, or another protocol on that port)"
        case .cancelled: return "request to \(target) was cancelled"
        case .other: return "request to \(target) failed (curl error \(code.rawValue))"
        }
    }

    private func osErrno() -> Int {
        var value = 0
        if let easy { jh_getinfo_long(easy, CURLINFO_OS_ERRNO, &value) }
        return value
    }

    /// True once a connection was ready for the request: a fresh one sets CONNECT_TIME, a reused
    /// one only PRETRANSFER_TIME (both stay 0 until reached).
    private func connectedOnce() -> Bool {
        guard let easy else { return false }
        var connectTime: curl_off_t = 0
        var pretransferTime: curl_off_t = 0
        jh_getinfo_off(easy, CURLINFO_CONNECT_TIME_T, &connectTime)
        jh_getinfo_off(easy, CURLINFO_PRETRANSFER_TIME_T, &pretransferTime)
        return connectTime > 0 || pretransferTime > 0
    }

    /// "2s", "1.5s", "250ms": short and readable in one log line.
    static func describe(_ duration: Duration) -> String {
        let ms = milliseconds(duration)
        if ms < 1000 { return "\(ms)ms" }
        if ms % 1000 == 0 { return "\(ms / 1000)s" }
        return String(format: "%.1fs", Double(ms) / 1000)
    }
}
