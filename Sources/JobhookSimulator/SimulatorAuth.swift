/// How the simulated API checks callers, so each of jobhook's credential kinds can be exercised locally.
public enum SimulatorAuth: Sendable, Hashable, Decodable {
    /// Any request is accepted.
    case none
    /// `X-Auth-Token` must equal this value.
    case token(String)
    /// Requests must carry a valid SDK-HMAC-SHA256 signature by this key pair.
    case aksk(accessKey: String, secretKey: String)
    /// `POST /v3/auth/tokens` with these password credentials issues tokens that live `tokenLifetime`;
    /// only tokens issued (and not expired) are accepted.
    case iam(domain: String, user: String, password: String, tokenLifetime: Duration)

    enum CodingKeys: String, CodingKey { case token, aksk, iam }
    enum KeyPairKeys: String, CodingKey { case ak, sk }
    enum IAMKeys: String, CodingKey {
        case domain, user, password
        case tokenLifetime = "token_lifetime"
    }

    public init(from decoder: any Decoder) throws {
        if let word = try? decoder.singleValueContainer().decode(String.self), word == "none" {
            self = .none
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let token = try c.decodeIfPresent(String.self, forKey: .token) {
            self = .token(token)
        } else if c.contains(.aksk) {
            let pair = try c.nestedContainer(keyedBy: KeyPairKeys.self, forKey: .aksk)
            self = .aksk(accessKey: try pair.decode(String.self, forKey: .ak),
                         secretKey: try pair.decode(String.self, forKey: .sk))
        } else if c.contains(.iam) {
            let iam = try c.nestedContainer(keyedBy: IAMKeys.self, forKey: .iam)
            self = .iam(domain: try iam.decode(String.self, forKey: .domain),
                        user: try iam.decode(String.self, forKey: .user),
                        password: try iam.decode(String.self, forKey: .password),
                        tokenLifetime: try iam.decodeDurationIfPresent(forKey: .tokenLifetime) ?? .seconds(86_400))
        } else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath, debugDescription: "auth must be none, {token}, {aksk} or {iam}"))
        }
    }
}
