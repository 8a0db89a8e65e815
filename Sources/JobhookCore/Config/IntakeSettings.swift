/// `intake.smn`: jobhook as the HTTPS subscriber of an SMN topic CTS publishes CCE's key events to
/// (SPEC § Push intake).
public struct SMNIntakeSettings: Sendable {
    /// The route on `server.listen`. Read at start-up: a reload that changes it needs a restart.
    public var path: String
    /// Only messages of these topic URNs are accepted.
    public var topics: Set<String>
    /// How the signing certificate is found.
    public var certificate: CertificateSource
    /// Messages with an older timestamp are refused.
    public var maxAge: Duration

    public static let defaultPath = "/intake/smn"

    public enum CertificateSource: Sendable {
        /// `cert_file`, read when the config is loaded (a reload reads it again).
        case pinned(path: String, key: SMNSigningKey)
        /// `cert_hosts`: `signing_cert_url` fetched over https from one of these hosts (lower case), cached.
        case fetched(hosts: Set<String>)
    }

    public init(path: String = SMNIntakeSettings.defaultPath, topics: Set<String>, certificate: CertificateSource,
                maxAge: Duration = .seconds(15 * 60)) {
        self.path = path
        self.topics = topics
        self.certificate = certificate
        self.maxAge = maxAge
    }

    /// The account a topic's messages belong to: `urn:smn:REGION:PROJECT:NAME` names the project
    /// (and region) of the account that owns the topic; an account with that project ID (and region,
    /// when several share it), else the first account.
    public static func account(forTopic topic: String, in accounts: [CCEAccount]) -> String {
        let parts = topic.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count >= 5 {
            let region = String(parts[2]), project = String(parts[3])
            let sameProject = accounts.filter { $0.cce.projectID == project }
            if let exact = sameProject.first(where: { $0.cce.region == region }) ?? sameProject.first { return exact.name }
        }
        return accounts.first?.name ?? CCEAccount.defaultName
    }
}
