public import CurlHTTP
public import Foundation
public import Logging

/// ShowJob and the listings (`JobListing`) against CCE (or the simulator): one GET per call (ListNodes:
/// one per page), credentials added by the signer, every failure classified into a `CCEError` that names
/// the job or the listing.
public struct CCEClient: JobFetching {
    /// CCE answers are small; anything beyond this is not a job document.
    public static let maxResponseBytes = 8 << 20
    /// A listing holds every job (or cluster, or node page) of a project, so it may be far larger than one
    /// job; a listing answer beyond this is refused as a decoding error.
    public static let maxListingBytes = 32 << 20

    public let endpoint: CCEEndpoint
    public let projectID: String
    private let http: any HTTPClient
    private let credentials: any RequestSigner
    private let timeout: Duration
    let logger: Logger
    private let now: @Sendable () -> Date

    public init(
        endpoint: CCEEndpoint, projectID: String, http: any HTTPClient, credentials: any RequestSigner,
        timeout: Duration = .seconds(10), logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.endpoint = endpoint
        self.projectID = projectID
        self.http = http
        self.credentials = credentials
        self.timeout = timeout
        self.logger = logger
        self.now = now
    }

    /// `GET {endpoint}/api/v3/projects/{project_id}/jobs/{job_id}`.
    public func showJob(_ id: String) async throws(CCEError) -> Job {
        try Self.validate(jobID: id)
        let call = CCECall.showJob(id, projectID: projectID)
        let response = try await perform(call)
        do {
            return try Job.decode(response.body)
        } catch {
            throw CCEError(.decoding, jobID: id, message: error.description,
                           requestID: response.header("X-Request-Id"))
        }
    }

    /// Sends `call` and returns its 2xx answer. On a 401 the signer is told; when it has fresh
    /// credentials (a renewed IAM token) the request is repeated once. Every other failure is thrown.
    func perform(_ call: CCECall) async throws(CCEError) -> HTTPResponse {
        guard Self.isProjectID(projectID) else {
            throw CCEError(.credentials, jobID: call.jobID, operation: call.operation,
                           message: "project ID \(CCEEndpoint.printable(projectID)) is not a Huawei Cloud project ID")
        }
        var exchange = try await send(call)
        var reported = false
        if exchange.status == 401 {
            reported = true
            let error = CCEError.from(response: exchange.response, call: call, now: now())
            if await credentials.reportAuthFailure(error, for: exchange.request) {
                logger.debug("retrying once with renewed credentials",
                             metadata: call.jobID.map { ["job": "\($0)"] } ?? ["operation": "\(call.operation ?? "")"])
                exchange = try await send(call)
                reported = false
            }
        }
        guard (200..<300).contains(exchange.status) else {
            let error = CCEError.from(response: exchange.response, call: call, now: now())
            if exchange.status == 401, !reported { _ = await credentials.reportAuthFailure(error, for: exchange.request) }
            throw error
        }
        return exchange.response
    }

    private struct Exchange {
        var request: HTTPRequest
        var response: HTTPResponse
        var status: Int { response.status }
    }

    /// One signed GET; transport failures become `CCEError`, the gateway's `Date` goes to the signer.
    private func send(_ call: CCECall) async throws(CCEError) -> Exchange {
        var request = HTTPRequest(
            method: "GET", url: endpoint.url(call.target),
            headers: [
                HTTPHeader("Content-Type", "application/json"),
                HTTPHeader("Accept", "application/json"),
                HTTPHeader("User-Agent", "jobhook/\(JobhookVersion.current)"),
            ],
            timeout: timeout, maxResponseBytes: call.maxResponseBytes)
        do {
            try await credentials.sign(&request, projectID: projectID)
        } catch {
            var error = error
            error.jobID = call.jobID
            error.operation = call.operation
            throw error
        }
        let response: HTTPResponse
        do {
            response = try await http.send(request)
        } catch where error.kind == .bodyTooLarge && call.kind != .showJob {
            throw CCEError(.transport(.bodyTooLarge), operation: call.operation,
                           message: "the answer is larger than \(call.maxResponseBytes >> 20) MiB, more than jobhook reads")
        } catch {
            throw CCEError(.transport(error.kind), jobID: call.jobID, operation: call.operation, message: error.message)
        }
        if let date = response.header("Date").flatMap(HTTPDate.parseRepeated) {
            await credentials.noteServerDate(date)
        }
        return Exchange(request: request, response: response)
    }

    /// Refuses what `JobID` refuses, as `CCEError` kind `.invalidJobID`: no request is sent, and
    /// asking again cannot help (the poller drops such a watch instead of backing off).
    public static func validate(jobID: String) throws(CCEError) {
        if let problem = JobID.problem(jobID) {
            throw CCEError(.invalidJobID, jobID: CCEEndpoint.printable(jobID), message: problem)
        }
    }

    /// Letters, digits, `-`, `_`; at most 128 bytes: a single path segment.
    static func isProjectID(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 128 else { return false }
        return text.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"): true
            default: false
            }
        }
    }
}
