import CCE
import Foundation
import HTTPTypes
import Hummingbird

/// Checks the credentials of each simulated API call according to the scenario's `auth:`.
struct SimulatorGate: Sendable {
    let auth: SimulatorAuth
    let state: SimulatorState

    static let authTokenHeader = HTTPField.Name("X-Auth-Token")!

    /// nil when the request may proceed; otherwise the gateway's 401.
    func refusal(for request: Request, requestID: String) async -> Response? {
        switch auth {
        case .none:
            return nil
        case .token(let expected):
            guard request.headers[Self.authTokenHeader] == expected else {
                return SimulatorResponse.error(401, requestID: requestID,
                                               message: "Incorrect IAM authentication information: token invalid")
            }
            return nil
        case .iam:
            guard let token = request.headers[Self.authTokenHeader], await state.isValidToken(token) else {
                return SimulatorResponse.error(401, requestID: requestID,
                                               message: "Incorrect IAM authentication information: token expires")
            }
            return nil
        case .aksk(let accessKey, let secretKey):
            return await SimulatorSignatureCheck.refusal(for: request, accessKey: accessKey, secretKey: secretKey,
                                                   requestID: requestID)
        }
    }

    /// `POST /v3/auth/tokens`: 201 with `X-Subject-Token` for the scenario's user, 401 otherwise.
    func issueToken(for request: Request, requestID: String) async -> Response {
        guard case .iam(let domain, let user, let password, let lifetime) = auth else {
            return SimulatorResponse.error(404, requestID: requestID, message: "IAM is not simulated in this scenario")
        }
        guard let body = try? await request.body.collect(upTo: 64 * 1024),
              let login = try? JSONDecoder().decode(PasswordLogin.self, from: Data(body.readableBytesView)),
              let given = login.auth.identity.password?.user,
              given.name == user, given.password == password, given.domain.name == domain
        else {
            return SimulatorResponse.error(401, requestID: requestID,
                                           message: "The username or password is wrong.")
        }
        let token = await state.issueToken(lifetime: lifetime)
        let now = Date()
        let expires = now.addingTimeInterval(lifetime / .seconds(1))
        let document = "{\"token\":{\"expires_at\":\"\(GoTimestamp.formatRFC3339(expires))\",\"issued_at\":\"\(GoTimestamp.formatRFC3339(now))\",\"methods\":[\"password\"]}}"
        return SimulatorResponse.json(.created, ByteBuffer(string: document), requestID: requestID,
                                      extra: [SimulatorResponse.subjectTokenHeader: token])
    }

    private struct PasswordLogin: Decodable {
        struct Auth: Decodable { var identity: Identity }
        struct Identity: Decodable { var password: Password? }
        struct Password: Decodable { var user: User }
        struct User: Decodable {
            var name: String
            var password: String
            var domain: Domain
        }
        struct Domain: Decodable { var name: String }
        var auth: Auth
    }
}
