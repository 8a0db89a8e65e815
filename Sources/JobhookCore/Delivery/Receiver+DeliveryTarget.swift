import CCE
import CurlHTTP
public import Foundation

extension Receiver {
    /// The dispatcher's view of this receiver: timeout, retry settings and per-attempt signing.
    public var deliveryTarget: DeliveryTarget {
        let signing = self.signing
        return DeliveryTarget(
            name: name, timeout: timeout, retry: retry, maxInFlight: preset == .generic ? 8 : 1,
            prepare: { request, id, now in
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
            })
    }
}
