import CCE

/// How `jobhook watch` ends: each job's ending as the events report it, and the exit status they
/// add up to (0 every job Success, 1 any job Failed, 3 timeout, 4 API error). Pure, so tests drive it.
public struct FollowOutcome: Sendable {
    /// How one job ended, in order of precedence for the exit status.
    public enum Ending: Int32, Sendable {
        case success = 0
        case failed = 1
        case timedOut = 3
        case apiError = 4

        /// An API error says least about the job, so it wins; then a failure; then a timeout.
        var precedence: Int {
            switch self {
            case .success: 0
            case .timedOut: 1
            case .failed: 2
            case .apiError: 3
            }
        }
    }

    public let jobIDs: [String]
    public private(set) var endings: [String: Ending] = [:]

    public init(jobIDs: [String]) {
        self.jobIDs = jobIDs
    }

    public mutating func observe(_ event: PollerEvent) {
        switch event {
        case .changes:
            break
        case .finished(let id, let tree):
            endings[id] = tree.phase == "Success" ? .success : .failed
        case .timedOut(let id):
            endings[id] = .timedOut
        case .expired(let id, _):
            endings[id] = .apiError
        case .failed(let id, let error):
            if error.isNotFound || !error.isTransient { endings[id] = .apiError }
        case .credentialsRejected:
            for id in jobIDs where endings[id] == nil { endings[id] = .apiError }
        }
    }

    /// Every job has ended.
    public var isComplete: Bool { jobIDs.allSatisfy { endings[$0] != nil } }

    public var exitStatus: Int32 {
        (endings.values.max { $0.precedence < $1.precedence } ?? .apiError).rawValue
    }
}
