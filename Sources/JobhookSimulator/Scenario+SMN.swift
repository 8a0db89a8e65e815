extension Scenario {
    /// `smn:`: the simulator plays SMN delivering CTS traces of CCE API calls to jobhook's push intake,
    /// so the push path runs with no cloud. Every job is announced once, when its timeline begins.
    public struct SMN: Sendable, Hashable, Decodable {
        /// Where messages are POSTed: jobhook's intake route (`intake.smn.path` on `server.listen`).
        public var url: String
        /// nil: `urn:smn:sim-region:<project_id or "sim">:cce-events` (`topicURN(projectID:)`).
        public var topicURN: String?
        /// The signing key (PEM, RSA ≥ 2048 bits): read when the file exists, else generated and written
        /// here (0600), so a pinned certificate stays valid across runs. nil: a fresh key per run.
        public var keyFile: String?
        /// Where the self-signed certificate is written, for jobhook to pin (`intake.smn.cert_file`).
        public var certFile: String?
        /// Send a `SubscriptionConfirmation` before the first notification, as SMN does when a
        /// subscription is created.
        public var confirm: Bool
        /// What the trace's `response` holds.
        public var response: ResponseMode

        public init(url: String, topicURN: String? = nil, keyFile: String? = nil, certFile: String? = nil,
                    confirm: Bool = true, response: ResponseMode = .jobID) {
            self.url = url
            self.topicURN = topicURN
            self.keyFile = keyFile
            self.certFile = certFile
            self.confirm = confirm
            self.response = response
        }

        /// Whether CTS copies the API answer (with `status.jobID`) into the trace. The reference says
        /// this is not documented (some services' traces carry `""`), so both are played.
        public enum ResponseMode: String, Sendable, Hashable, Decodable {
            /// The API answer, with `status.jobID`.
            case jobID = "job_id"
            /// `""`: jobhook must find the job with ShowCluster.
            case empty
        }

        /// The topic the messages name.
        public func topicURN(projectID: String?) -> String {
            topicURN ?? Self.defaultTopicURN(projectID: projectID)
        }

        static func defaultTopicURN(projectID: String?) -> String {
            "urn:smn:sim-region:\(projectID ?? "sim"):cce-events"
        }

        enum CodingKeys: String, CodingKey {
            case url, confirm, response
            case topicURN = "topic_urn", keyFile = "key_file", certFile = "cert_file"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            url = try c.decode(String.self, forKey: .url)
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                throw DecodingError.dataCorruptedError(forKey: .url, in: c,
                                                       debugDescription: "smn.url must be an http(s) URL, got '\(url)'")
            }
            topicURN = try c.decodeIfPresent(String.self, forKey: .topicURN)
            keyFile = try c.decodeIfPresent(String.self, forKey: .keyFile)
            certFile = try c.decodeIfPresent(String.self, forKey: .certFile)
            confirm = try c.decodeIfPresent(Bool.self, forKey: .confirm) ?? true
            response = try c.decodeIfPresent(ResponseMode.self, forKey: .response) ?? .jobID
        }
    }
}
