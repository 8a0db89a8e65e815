public import CurlHTTP

/// Why a CCE API call failed, classified so the poller can decide between backing off, slowing down,
/// stopping a job and stopping a whole set of credentials. `description` is one line for people:
/// it names the job (or the listing), the code, the message and the `X-Request-Id`, never a credential.
public struct CCEError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// CCE (or its gateway) answered with a non-2xx status.
        case api(status: Int)
        /// No answer: DNS, refused, timeout, TLS, connection lost, body too large.
        case transport(HTTPError.Kind)
        /// A 2xx answer that is not a job document or listing (HTML, truncated or malformed JSON).
        case decoding
        /// Credentials could not be obtained (IAM refused, token file unreadable, no credentials).
        case credentials
        /// The job ID (for ListNodes: the cluster ID) is not one CCE could have issued (`JobID`);
        /// nothing was sent.
        case invalidJobID
    }

    public var kind: Kind
    /// The job the call was about, when there was one.
    public var jobID: String?
    /// The listing the call made (`ListJobs`, `ListClusters`, `ListNodes cluster X`); nil for ShowJob,
    /// whose errors name the job instead.
    public var operation: String?
    /// `errorCode` / `error_code` / `code` from the error body, e.g. `APIGW.0301`.
    public var code: String?
    public var message: String
    /// The `X-Request-Id` response header, for Huawei support.
    public var requestID: String?
    /// From a `Retry-After` header on 429/503.
    public var retryAfter: Duration?

    public init(
        _ kind: Kind, jobID: String? = nil, operation: String? = nil, code: String? = nil, message: String,
        requestID: String? = nil, retryAfter: Duration? = nil
    ) {
        self.kind = kind
        self.jobID = jobID
        self.operation = operation
        self.code = code
        self.message = message
        self.requestID = requestID
        self.retryAfter = retryAfter
    }

    public var description: String {
        if kind == .invalidJobID { return operation.map { "\($0): \(message)" } ?? message }  // the message names the ID
        var parts: [String] = []
        if let operation { parts.append("\(operation):") }
        if let jobID { parts.append("job \(jobID):") }
        switch kind {
        case .api(let status): parts.append("CCE answered HTTP \(status)")
        case .transport: parts.append("CCE request failed")
        case .decoding: parts.append(operation == nil ? "CCE answer is not a job document" : "CCE answer is not a listing")
        case .credentials: parts.append("cannot authenticate to CCE")
        case .invalidJobID: break
        }
        if let code { parts.append("[\(code)]") }
        if !message.isEmpty {
            // `operation:` and `job X:` end in a colon already; the kind's phrase does not.
            if kind != .invalidJobID, let last = parts.indices.last, !parts[last].hasSuffix(":") { parts[last] += ":" }
            parts.append(message)
        }
        if let requestID { parts.append("(X-Request-Id \(requestID))") }
        return parts.joined(separator: " ")
    }

    public var status: Int? {
        if case .api(let status) = kind { return status }
        return nil
    }

    /// 404: the job does not exist, or (for a job seen before) has expired from CCE's short history;
    /// on a listing, the project or cluster is unknown, or the endpoint does not serve that listing.
    public var isNotFound: Bool { status == 404 }
    /// 401/403 or unobtainable credentials: retrying with the same credentials can lock an AK.
    public var isAuthFailure: Bool {
        status == 401 || status == 403 || kind == .credentials
    }
    /// Not a job ID at all: drop the watch now; no retry, backoff or other job is affected.
    public var isInvalidJobID: Bool { kind == .invalidJobID }
    /// 429: the whole client should slow down, honouring `retryAfter`.
    public var isThrottled: Bool { status == 429 }
    /// Server errors, transport faults and garbled answers: back off this job and try again.
    public var isTransient: Bool {
        switch kind {
        case .api(let status): status >= 500 || status == 408
        case .transport(let k): HTTPError(k, "").isTransient || k == .bodyTooLarge
        case .decoding: true
        case .credentials, .invalidJobID: false
        }
    }
}

/// Fetches one job tree. `CCEClient` implements it against the real API (or the simulator).
public protocol JobFetching: Sendable {
    func showJob(_ id: String) async throws(CCEError) -> Job
}
