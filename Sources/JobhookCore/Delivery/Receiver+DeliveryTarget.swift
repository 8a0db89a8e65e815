import CCE
import CurlHTTP
public import Foundation

extension Receiver {
    /// The dispatcher's view of this receiver: timeout, retry settings, rate limits, per-attempt
    /// signing and the vendor's success test.
    public var deliveryTarget: DeliveryTarget {
        let signing = self.signing
        let preset = self.preset
        let presetSecret = self.secret
        return DeliveryTarget(
            name: name, timeout: timeout, retry: retry, maxInFlight: preset == .generic ? 8 : 1,
            rateLimits: rateLimit.map { [$0] } ?? preset.defaultRateLimits,
            prepare: { request, id, now in
                if let presetSecret {
                    Self.signForPreset(preset, secret: presetSecret.reveal, request: &request, now: now)
                }
                guard let signing else { return }
                let body = request.body ?? Data()
                if !signing.standardWebhooks.isEmpty {
                    let value = StandardWebhooksSignature.header(
                        secrets: signing.standardWebhooks.map(\.reveal), id: id,
                        timestamp: Int(now.timeIntervalSince1970), body: body)
                    request.headers.append(HTTPHeader("webhook-signature", value))
                }
                if let hmac = signing.hmac {
                    let value = hmac.prefix + HMACBodySignature.sign(secret: hmac.secret.reveal, body: body)
                    request.headers.append(HTTPHeader(hmac.header, value))
                }
            },
            classify: { response, now in PresetResponse.classify(preset, response, now: now) })
    }

    /// Feishu signs in the body, DingTalk in the query; both with this attempt's time, since the
    /// vendors refuse timestamps over an hour old (a retry after a long outage would fail forever).
    static func signForPreset(_ preset: Preset, secret: String, request: inout HTTPRequest, now: Date) {
        switch preset {
        case .feishu:
            request.body = FeishuSignature.signed(body: request.body ?? Data("{}".utf8), secret: secret,
                                                  timestamp: Int(now.timeIntervalSince1970))
        case .dingtalk:
            request.url = DingTalkSignature.signed(url: request.url, secret: secret,
                                                   timestampMillis: Int64((now.timeIntervalSince1970 * 1000).rounded(.down)))
        case .wecom, .slack, .teams, .discord, .generic:
            break
        }
    }
}

extension Receiver.Preset {
    /// The vendors' documented limits (reference/delivery.md), used when `rate_limit` is not set:
    /// going over them gets messages refused (DingTalk throttles a robot for 10 minutes).
    public var defaultRateLimits: [RateLimit] {
        switch self {
        case .dingtalk, .wecom: [RateLimit(count: 20, per: .seconds(60))]
        case .feishu: [RateLimit(count: 5, per: .seconds(1)), RateLimit(count: 100, per: .seconds(60))]
        case .slack: [RateLimit(count: 1, per: .seconds(1))]
        case .discord: [RateLimit(count: 5, per: .seconds(2))]
        case .teams, .generic: []
        }
    }
}
