public import CCE
public import CurlHTTP
import Foundation
public import Logging

extension CCESettings {
    /// The CCE client these settings describe: endpoint from `endpoint` or `region`, and the signer
    /// for the one configured auth method (none: requests go out unauthenticated, for the simulator).
    public func client(http: any HTTPClient, logger: Logger) throws(CCEError) -> CCEClient {
        let endpoint: CCEEndpoint
        if let url = self.endpoint { endpoint = try CCEEndpoint(url: url) } else { endpoint = try CCEEndpoint(region: region) }
        guard let projectID, !projectID.isEmpty else {
            throw CCEError(.credentials, message: "cce.project_id is not set (or set HUAWEICLOUD_SDK_PROJECT_ID, or pass --project-id)")
        }
        return CCEClient(endpoint: endpoint, projectID: projectID, http: http, credentials: try signer(http: http, logger: logger),
                         timeout: timeout, logger: logger)
    }

    func signer(http: any HTTPClient, logger: Logger) throws(CCEError) -> any RequestSigner {
        switch auth {
        case nil:
            return Unauthenticated()
        case .token(let token):
            return StaticToken(token)
        case .tokenFile(let path):
            return TokenFile(path: path)
        case .accessKey(let ak, let sk, let securityToken):
            return AKSKSigner(accessKey: ak, secretKey: sk, securityToken: securityToken, logger: logger)
        case .iam(let iam):
            let endpoint: CCEEndpoint
            if let url = iam.endpoint { endpoint = try CCEEndpoint(url: url) } else { endpoint = try CCEEndpoint.iam(region: region) }
            let scope: IAMTokenSource.Scope = iam.project.map { .projectName($0) } ?? projectID.map { .projectID($0) } ?? .projectName(region)
            return IAMTokenSource(endpoint: endpoint, domain: iam.domain, user: iam.user, password: iam.password, scope: scope,
                                  http: http, timeout: timeout, logger: logger)
        }
    }
}

/// No credentials: only a simulator (or a gateway in front of CCE that adds them) accepts that.
struct Unauthenticated: RequestSigner {
    func sign(_ request: inout HTTPRequest, projectID: String) async throws(CCEError) {}
}
