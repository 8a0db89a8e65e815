import CCE
import CurlHTTP
import Foundation

extension Receiver {
    /// The dispatcher's view of this receiver: timeout, retry settings, rate limits, per-attempt
    /// signing and the vendor's success test.
    public var deliveryTarget: DeliveryTarget {
        let signing = self.signing
        let preset = self.preset
        let presetSecret = self.secret
        return DeliveryTarget(
            name: name, timeout: timeout, retry: retry, maxInFlight: preset.maxInFlight,
            rateLimits: rateLimit.map { [$0] } ?? preset.defaultRateLimits,
            prepare: { request, id, now in
                if let presetSecret {
                    preset.sign(&request, secret: presetSecret.reveal, now: now)
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
            classify: { response, now in preset.classify(response, now: now) })
    }
}
