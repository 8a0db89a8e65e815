import CCE
import Foundation
import Yams

/// A receiver's `signing`, `retry` and `rate_limit`.
extension ConfigReader {
    mutating func signingSettings(_ node: Node, _ path: String) -> Signing? {
        guard let signing = fields(node, path, allowed: ["standard_webhooks", "hmac"]) else { return nil }
        var secrets: [Secret] = []
        if let whsec = signing["standard_webhooks"] {
            for value in stringList(whsec, signing.path("standard_webhooks")) ?? [] {
                let key = value.hasPrefix("whsec_") ? String(value.dropFirst(6)) : value
                if let data = Data(base64Encoded: key), !data.isEmpty {
                    secrets.append(Secret(value))
                } else {
                    report("\(signing.path("standard_webhooks")): the value is not a Standard Webhooks secret (whsec_ followed by base64)", at: whsec)
                }
            }
        }
        var hmac: HMACSigning?
        if let hmacNode = signing["hmac"], let h = fields(hmacNode, signing.path("hmac"), allowed: ["secret", "header", "prefix"]) {
            let secret = requiredString(h, "secret")
            let defaults = HMACSigning(secret: Secret(""))
            let header = optionalString(h, "header") ?? defaults.header
            if !HeaderName.isValid(header), let node = h["header"] {
                report("\(h.path("header")): '\(HeaderName.shown(header))' is not a valid header name (letters, digits and !#$%&'*+-.^_`|~ only)", at: node)
            }
            let prefix = optionalString(h, "prefix") ?? defaults.prefix
            if let secret { hmac = HMACSigning(secret: Secret(secret), header: header, prefix: prefix) }
        }
        if signing["standard_webhooks"] == nil, signing["hmac"] == nil {
            report("\(path): expected standard_webhooks or hmac", at: node)
        }
        return Signing(standardWebhooks: secrets, hmac: hmac)
    }

    mutating func retrySettings(_ node: Node, _ path: String) -> RetrySettings {
        let defaults = RetrySettings()
        guard let retry = fields(node, path, allowed: ["max_attempts", "initial_backoff", "max_backoff", "max_age"]) else { return defaults }
        let settings = RetrySettings(
            maxAttempts: positiveInt(retry, "max_attempts", default: defaults.maxAttempts),
            initialBackoff: duration(retry, "initial_backoff", default: defaults.initialBackoff),
            maxBackoff: duration(retry, "max_backoff", default: defaults.maxBackoff),
            maxAge: duration(retry, "max_age", default: defaults.maxAge)
        )
        if settings.initialBackoff > settings.maxBackoff {
            report("\(path): initial_backoff is longer than max_backoff", at: retry["initial_backoff"] ?? node)
        }
        return settings
    }

    /// `20/1m` or `{count: 20, per: 1m}`.
    mutating func rateLimitSettings(_ node: Node, _ path: String) -> RateLimit? {
        if case .mapping = node {
            guard let limit = fields(node, path, allowed: ["count", "per"]) else { return nil }
            guard limit["count"] != nil else { missing("count", in: limit); return nil }
            guard let perNode = limit["per"] else { missing("per", in: limit); return nil }
            let count = positiveInt(limit, "count", default: 1)
            return duration(perNode, limit.path("per")).map { RateLimit(count: count, per: $0) }
        }
        guard let text = string(node, path) else { return nil }
        guard let limit = RateLimit.parse(text) else {
            report("\(path): expected COUNT/DURATION like 20/1m (got '\(text.clipped)')", at: node)
            return nil
        }
        return limit
    }
}
