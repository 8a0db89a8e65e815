public import CCE

/// Where the CCE API is and how to authenticate to it.
public struct CCESettings: Sendable {
    /// E.g. `cn-north-4`; the endpoint `https://cce.<region>.myhuaweicloud.com` derives from it.
    public var region: String
    /// Overrides the region's endpoint (the simulator, a private endpoint).
    public var endpoint: String?
    public var projectID: String?
    /// nil: no credentials at all (the simulator accepts that).
    public var auth: AuthSettings?
    /// Per API request.
    public var timeout: Duration

    public init(region: String, endpoint: String? = nil, projectID: String? = nil, auth: AuthSettings? = nil, timeout: Duration = .seconds(10)) {
        self.region = region
        self.endpoint = endpoint
        self.projectID = projectID
        self.auth = auth
        self.timeout = timeout
    }

    /// What the official Huawei Cloud SDKs read when no config gives credentials, so
    /// `jobhook watch` works in CI without a config file. Nil without a region.
    public static func fromEnvironment(_ environment: [String: String]) -> CCESettings? {
        let sdk = CredentialsFromEnvironment(environment)
        guard let region = sdk.region else { return nil }
        return CCESettings(region: region, projectID: sdk.projectID, auth: AuthSettings(sdk))
    }
}

/// Exactly one way to authenticate.
public enum AuthSettings: Sendable {
    /// Sent as `X-Auth-Token` as given.
    case token(Secret)
    /// `X-Auth-Token` read from a file, re-read when it changes (mounted secrets rotate).
    case tokenFile(path: String)
    /// AK/SK request signing; `securityToken` with temporary credentials.
    case accessKey(ak: Secret, sk: Secret, securityToken: Secret?)
    /// A token obtained from IAM with a password.
    case iam(IAMSettings)

    /// `HUAWEICLOUD_SDK_AK`/`_SK`/`_SECURITY_TOKEN`, as the SDKs read them.
    public static func fromEnvironment(_ environment: [String: String]) -> AuthSettings? {
        AuthSettings(CredentialsFromEnvironment(environment))
    }

    /// AK/SK signing when both halves are set; nil otherwise.
    init?(_ sdk: CredentialsFromEnvironment) {
        guard let ak = sdk.accessKey, let sk = sdk.secretKey else { return nil }
        self = .accessKey(ak: ak, sk: sk, securityToken: sdk.securityToken)
    }
}

public struct IAMSettings: Sendable {
    /// Defaults to the region's IAM endpoint when nil.
    public var endpoint: String?
    /// The account (domain) name.
    public var domain: String
    public var user: String
    public var password: Secret
    /// Project name to scope the token to; the region's default project when nil.
    public var project: String?

    public init(endpoint: String? = nil, domain: String, user: String, password: Secret, project: String? = nil) {
        self.endpoint = endpoint
        self.domain = domain
        self.user = user
        self.password = password
        self.project = project
    }
}
