public import CCE

/// Request signing for generic receivers (chat presets sign with `Receiver.secret` their own way).
public struct Signing: Sendable {
    /// Standard Webhooks `whsec_…` secrets. More than one during key rotation: each adds a
    /// signature to the space-separated `webhook-signature` header.
    public var standardWebhooks: [Secret]
    public var hmac: HMACSigning?

    public init(standardWebhooks: [Secret] = [], hmac: HMACSigning? = nil) {
        self.standardWebhooks = standardWebhooks
        self.hmac = hmac
    }
}

/// A plain HMAC-SHA256 of the body, hex encoded, in a header of the receiver's choosing
/// (the GitHub style `X-Hub-Signature-256: sha256=…`).
public struct HMACSigning: Sendable {
    public var secret: Secret
    public var header: String
    public var prefix: String

    public init(secret: Secret, header: String = "X-Signature-256", prefix: String = "sha256=") {
        self.secret = secret
        self.header = header
        self.prefix = prefix
    }
}
