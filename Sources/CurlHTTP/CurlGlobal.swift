internal import CCurl

/// Process-wide libcurl setup, done once before the first curl thread starts.
enum CurlGlobal {
    /// A `static let` initialiser runs exactly once, thread-safely (swift_once).
    private static let initialized: Bool = {
        jh_ignore_sigpipe()
        return curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
    }()

    static func initializeOnce() {
        precondition(initialized, "curl_global_init failed")
    }
}
