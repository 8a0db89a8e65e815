import Foundation

extension Scenario {
    /// `storm:` a CCE having a bad day, for chaos runs. Scripted `faults:` pick the Nth request; a storm
    /// draws every answer (ShowJob and listings, after the credential and project checks) from a seeded
    /// RNG, so a run at scale meets 5xx, throttling, cut bodies and slow answers mixed as a real outage
    /// mixes them, and the same seed replays the same sequence of draws. A storm never answers 401 or
    /// 403: a client that locks its credentials out during one has a bug of its own.
    ///
    /// ```yaml
    /// storm:
    ///   seed: 1
    ///   server_errors: 0.3    # 500, 502, 503 or 504 with CCE's error body
    ///   throttled: 0.1        # 429 with Retry-After: retry_after (default 1s)
    ///   truncated: 0.05       # 200 with the document cut in half
    ///   slow: 0.2             # independently of the above: answer after min_delay…max_delay
    ///   min_delay: 100ms
    ///   max_delay: 2s
    /// ```
    public struct Storm: Sendable, Hashable, Decodable {
        public var seed: UInt64
        public var serverErrors: Double
        public var throttled: Double
        public var retryAfter: Duration
        public var truncated: Double
        public var slow: Double
        public var minDelay: Duration
        public var maxDelay: Duration

        public init(seed: UInt64 = 1, serverErrors: Double = 0, throttled: Double = 0, retryAfter: Duration = .seconds(1),
                    truncated: Double = 0, slow: Double = 0, minDelay: Duration = .zero, maxDelay: Duration = .zero) {
            self.seed = seed
            self.serverErrors = serverErrors
            self.throttled = throttled
            self.retryAfter = retryAfter
            self.truncated = truncated
            self.slow = slow
            self.minDelay = minDelay
            self.maxDelay = maxDelay
        }

        enum CodingKeys: String, CodingKey {
            case seed, throttled, truncated, slow
            case serverErrors = "server_errors", retryAfter = "retry_after"
            case minDelay = "min_delay", maxDelay = "max_delay"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? 1
            func share(_ key: CodingKeys) throws -> Double {
                let value = try c.decodeIfPresent(Double.self, forKey: key) ?? 0
                guard (0...1).contains(value) else {
                    throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "a share from 0 to 1, like 0.3")
                }
                return value
            }
            serverErrors = try share(.serverErrors)
            throttled = try share(.throttled)
            truncated = try share(.truncated)
            slow = try share(.slow)
            retryAfter = try c.decodeDurationIfPresent(forKey: .retryAfter) ?? .seconds(1)
            minDelay = try c.decodeDurationIfPresent(forKey: .minDelay) ?? .zero
            maxDelay = try c.decodeDurationIfPresent(forKey: .maxDelay) ?? minDelay
            guard serverErrors + throttled + truncated <= 1 + 1e-9 else {
                throw DecodingError.dataCorruptedError(forKey: .serverErrors, in: c,
                    debugDescription: "server_errors + throttled + truncated must be at most 1")
            }
            guard minDelay <= maxDelay else {
                throw DecodingError.dataCorruptedError(forKey: .maxDelay, in: c, debugDescription: "max_delay is below min_delay")
            }
        }

        /// One request's fate. Always consumes four numbers from `random`, whatever it draws, so that
        /// one answer's kind never shifts the draws of the answers after it.
        public func draw(using random: inout some RandomNumberGenerator) -> StormDraw {
            let pick = Double.random(in: 0..<1, using: &random)
            let status = Self.serverErrorStatuses.randomElement(using: &random) ?? 503
            let isSlow = Double.random(in: 0..<1, using: &random) < slow
            let delay = Double.random(in: 0...1, using: &random)
            var draw = StormDraw()
            if pick < serverErrors {
                draw.kind = .serverError
                draw.status = status
            } else if pick < serverErrors + throttled {
                draw.kind = .throttled
                draw.status = 429
            } else if pick < serverErrors + throttled + truncated {
                draw.kind = .truncated
            }
            if isSlow { draw.delay = minDelay + (maxDelay - minDelay) * delay }
            return draw
        }

        static let serverErrorStatuses = [500, 502, 503, 504]
    }
}

/// What a storm made of one request: a kind of fault (or none), and a delay (or none).
public struct StormDraw: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case serverError = "server_errors"
        case throttled
        case truncated
    }

    public var kind: Kind?
    public var status: Int?
    public var delay: Duration?

    public init(kind: Kind? = nil, status: Int? = nil, delay: Duration? = nil) {
        self.kind = kind
        self.status = status
        self.delay = delay
    }

    /// The same answer as a scripted fault, so storms and `faults:` share one way of answering; nil
    /// for a draw that leaves the request alone.
    func fault(retryAfter: Duration) -> Scenario.Fault? {
        guard kind != nil || delay != nil else { return nil }
        return Scenario.Fault(job: "", requests: [], status: status, retryAfter: kind == .throttled ? retryAfter : nil,
                              truncate: kind == .truncated, delay: delay)
    }
}
